"""Octopus's task routes through real deployments run by the worker: the states the task waiter polls for, a
manual intervention waiting and rejected, details, the raw log and cancel; on both databases."""

from __future__ import annotations

import pytest
from tests.fixtures.approvals import decide, run_all, space
from tests.fixtures.engine import apply_yaml, project_yaml
from tests.fixtures.octopus import SPACE, create_release, deploy, octopus_as, task_ids

from seaway.domain.ids import parse_id

STEPS = """\
      - {name: Greet, type: script, script: "echo hello #{Octopus.Environment.Name}"}
      - {name: Check, type: script, script: "#{if Octopus.Environment.Name == \\"Test\\"}exit 3#{/if}"}
"""


@pytest.fixture
async def octopus(services, admin):
    await apply_yaml(services, project_yaml("Hello", STEPS))
    async with octopus_as(services, admin) as client:
        assert (await create_release(client, ProjectName="Hello", ReleaseVersion="1.0.0")).status_code == 201
        yield client


async def waiter_poll(client, *ids: str) -> dict[str, dict]:
    """What Octopus's task waiter asks for on every poll."""
    response = await client.get(f"{SPACE}/tasks", params={"skip": 0, "take": 300, "ids": ",".join(ids)})
    assert response.status_code == 200, response.text
    return {task["Id"]: task for task in response.json()["Items"]}


async def test_a_deployment_goes_from_queued_to_success(services, octopus):
    [task_id] = task_ids(await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Dev"]))

    queued = (await waiter_poll(octopus, task_id))[task_id]
    await run_all(services)
    done = (await waiter_poll(octopus, task_id))[task_id]
    one = (await octopus.get(f"{SPACE}/tasks/{task_id}")).json()

    assert (queued["State"], queued["IsCompleted"], queued["HasBeenPickedUpByProcessor"]) == ("Queued", False, False)
    assert queued["CompletedTime"] is None and queued["Completed"] is None
    assert (done["State"], done["IsCompleted"], done["FinishedSuccessfully"]) == ("Success", True, True)
    assert (done["ErrorMessage"], done["HasPendingInterruptions"], done["HasWarningsOrErrors"]) == ("", False, False)
    assert done["Name"] == "Deploy" and done["Description"] == "Deploy Hello release 1.0.0 to Dev"
    assert done["CompletedTime"] and done["Completed"].endswith("+00:00") and done["Duration"]
    assert done["Arguments"]["DeploymentId"].startswith("Deployments-") and done["SpaceId"] == "Spaces-1"
    assert done["CanRerun"] is False and done["ProjectId"].startswith("Projects-")
    assert one == done


async def test_a_failed_deployment_says_why(services, octopus):
    await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Dev"])
    await run_all(services)
    [task_id] = task_ids(await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Test"]))
    await run_all(services)

    task = (await waiter_poll(octopus, task_id))[task_id]

    assert (task["State"], task["IsCompleted"], task["FinishedSuccessfully"]) == ("Failed", True, False)
    assert task["HasWarningsOrErrors"] is True
    assert task["ErrorMessage"] == 'The step "Check" failed: the script exited with code 3'


async def test_ids_are_honoured_and_lists_page(services, octopus):
    first = task_ids(await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Dev"]))
    await run_all(services)
    second = task_ids(await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Dev"]))

    both = await waiter_poll(octopus, *first, *second, "ServerTasks-999")
    everything = (await octopus.get(f"{SPACE}/tasks")).json()
    page = (await octopus.get(f"{SPACE}/tasks", params={"skip": 1, "take": 1})).json()

    assert set(both) == {*first, *second}  # an unknown id is left out: the waiter reports it
    assert [t["Id"] for t in everything["Items"]] == [*second, *first]  # newest first
    assert (page["TotalResults"], [t["Id"] for t in page["Items"]]) == (2, first)


async def test_details_have_an_activity_log_per_step_and_raw_is_the_log_as_text(services, octopus):
    [task_id] = task_ids(await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Dev"]))
    await run_all(services)

    details = (await octopus.get(f"{SPACE}/tasks/{task_id}/details")).json()
    raw = await octopus.get(f"{SPACE}/tasks/{task_id}/raw")

    assert details["Task"]["Id"] == task_id and details["Progress"]["ProgressPercentage"] == 100
    steps = [log for log in details["ActivityLogs"] if log["Name"].startswith("Step ")]
    assert [(s["Name"], s["Status"]) for s in steps] == [("Step 1: Greet", "Success"), ("Step 2: Check", "Success")]
    greet = [e["MessageText"] for e in steps[0]["LogElements"]]
    assert "hello Dev" in greet
    assert {e["Category"] for s in details["ActivityLogs"] for e in s["LogElements"]} <= {"Info", "Warning", "Error"}
    assert details["PhysicalLogSize"] > 0
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/plain")
    assert "hello Dev" in raw.text


async def test_cancel_without_a_space_as_the_waiter_sends_it(services, octopus):
    [task_id] = task_ids(await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.0", EnvironmentNames=["Dev"]))

    canceling = await octopus.post(f"/api/tasks/{task_id}/cancel", json={})
    await run_all(services)
    ended = (await waiter_poll(octopus, task_id))[task_id]
    again = await octopus.post(f"{SPACE}/tasks/{task_id}/cancel", json={})

    assert canceling.status_code == 200, canceling.text
    assert canceling.json()["Id"] == task_id and canceling.json()["State"] == "Cancelling"
    assert (ended["State"], ended["IsCompleted"], ended["FinishedSuccessfully"]) == ("Canceled", True, False)
    assert again.status_code == 409 and "already canceled" in again.json()["ErrorMessage"]


async def test_an_unknown_task_is_a_404(octopus):
    assert (await octopus.get(f"{SPACE}/tasks/ServerTasks-42")).status_code == 404
    assert (await octopus.get("/api/tasks/ServerTasks-42")).status_code == 404
    assert (await octopus.get(f"{SPACE}/tasks/ServerTasks-42/details")).status_code == 404


async def test_a_waiting_manual_intervention_then_its_rejection(services):
    await apply_yaml(services, space())
    async with octopus_as(services, "dave") as dave:
        assert (await create_release(dave, ProjectName="Quotes", ReleaseVersion="1.0.0")).status_code == 201
        [task_id] = task_ids(
            await deploy(dave, ProjectName="Quotes", ReleaseVersion="1.0.0", EnvironmentNames=["Test"])
        )
        await run_all(services)
        waiting = (await waiter_poll(dave, task_id))[task_id]

        async with services.store.reading() as uow:
            [interruption] = await uow.interruptions.list(task_id=parse_id("task", task_id))
        await decide(services, interruption, "bob", "abort", "tests are red")
        await run_all(services)
        rejected = (await waiter_poll(dave, task_id))[task_id]

    assert (waiting["State"], waiting["IsCompleted"], waiting["HasPendingInterruptions"]) == ("Executing", False, True)
    assert (rejected["State"], rejected["IsCompleted"], rejected["HasPendingInterruptions"]) == ("Failed", True, False)
    assert rejected["ErrorMessage"] == "Rejected by Bob Builder: tests are red"
