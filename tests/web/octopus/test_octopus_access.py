"""Octopus's routes refuse exactly what /api/v1 refuses, with the same messages, audit the refused writes, and
leave out of their lists what the caller may not see."""

from __future__ import annotations

import pytest
from tests.fixtures.approvals import run_all
from tests.fixtures.deployers import PROJECT, REFUSED_PROD
from tests.fixtures.deployers import SPACE as DEPLOYERS
from tests.fixtures.engine import apply_yaml
from tests.fixtures.octopus import SPACE, create_release, deploy, octopus_as, task_ids

# The tutorial's deployers, and someone who may see only what happens in Dev.
SPACE_DOCUMENT = DEPLOYERS.replace(
    "users:\n", "users:\n  - {username: devwatcher, display_name: Dev Watcher, email: dev@example.org}\n", 1
).replace(
    "teams:\n",
    "teams:\n  - name: Dev Watchers\n    members: [devwatcher]\n    roles:\n"
    "      - {role: project-viewer, environments: [Dev]}\n",
    1,
)


@pytest.fixture
async def deployed(services, admin):
    """Release 1.0.0, deployed to Dev and then Test by the administrator."""
    await apply_yaml(services, SPACE_DOCUMENT)
    async with octopus_as(services, admin) as client:
        assert (await create_release(client, ProjectName=PROJECT, ReleaseVersion="1.0.0")).status_code == 201
        dev = task_ids(await deploy(client, ProjectName=PROJECT, ReleaseVersion="1.0.0", EnvironmentNames=["Dev"]))
        await run_all(services)
        test = task_ids(await deploy(client, ProjectName=PROJECT, ReleaseVersion="1.0.0", EnvironmentNames=["Test"]))
        await run_all(services)
    return {"Dev": dev[0], "Test": test[0]}


async def refusals_recorded(services) -> list[tuple[str, str | None]]:
    async with services.store.reading() as uow:
        return [(e.entity_id, e.environment) for e in await uow.audit.list() if e.action == "permission.refused"]


async def test_a_deployer_scoped_to_dev_and_test_cannot_deploy_to_prod_and_nothing_is_created(services, deployed):
    async with octopus_as(services, "internaldeployer") as internal:
        refused = await deploy(internal, ProjectName=PROJECT, ReleaseVersion="1.0.0", EnvironmentNames=["Dev", "prod"])
        v1 = await internal.post("/api/v1/releases/Releases-1/deployments", json={"environment": "Prod"})
        allowed = await deploy(internal, ProjectName=PROJECT, ReleaseVersion="1.0.0", EnvironmentNames=["Dev"])
        listed = (await internal.get(f"{SPACE}/deployments")).json()

    assert refused.status_code == v1.status_code == 403
    assert (refused.json()["ErrorMessage"], refused.json()["Errors"]) == (REFUSED_PROD, [])
    assert v1.json()["error"]["message"] == REFUSED_PROD
    assert allowed.status_code == 200
    assert listed["TotalResults"] == 3  # Dev and Test by the administrator, and the allowed Dev: not the refused one
    assert await refusals_recorded(services) == [("deployment.create", "Prod"), ("deployment.create", "Prod")]


async def test_someone_who_may_not_create_releases_is_refused_as_by_api_v1(services, deployed):
    async with octopus_as(services, "internaldeployer") as internal:
        refused = await create_release(internal, ProjectName=PROJECT, ReleaseVersion="2.0.0")
        v1 = await internal.post(f"/api/v1/projects/{PROJECT}/releases", json={"version": "2.0.0"})

    assert refused.status_code == v1.status_code == 403
    assert refused.json()["ErrorMessage"] == v1.json()["error"]["message"]
    assert refused.json()["ErrorMessage"] == "missing permission release.create"
    assert await refusals_recorded(services) == [("release.create", None), ("release.create", None)]


async def test_lists_leave_out_what_the_caller_may_not_see(services, deployed):
    async with octopus_as(services, "devwatcher") as watcher:
        tasks = (await watcher.get(f"{SPACE}/tasks", params={"ids": f"{deployed['Dev']},{deployed['Test']}"})).json()
        deployments = (await watcher.get(f"{SPACE}/deployments")).json()
        environments = (await watcher.get(f"{SPACE}/environments")).json()
        hidden_task = await watcher.get(f"{SPACE}/tasks/{deployed['Test']}")
        hidden_details = await watcher.get(f"{SPACE}/tasks/{deployed['Test']}/details")
        v1_hidden = await watcher.get(f"/api/v1/tasks/{deployed['Test']}")
        seen = await watcher.get(f"{SPACE}/tasks/{deployed['Dev']}")

    assert [t["Id"] for t in tasks["Items"]] == [deployed["Dev"]]
    assert [d["TaskId"] for d in deployments["Items"]] == [deployed["Dev"]]
    assert [e["Name"] for e in environments["Items"]] == ["Dev"]
    assert hidden_task.status_code == hidden_details.status_code == v1_hidden.status_code == 404
    assert hidden_task.json()["ErrorMessage"] == v1_hidden.json()["error"]["message"]
    assert seen.status_code == 200


async def test_cancel_needs_task_cancel_where_the_task_runs(services, admin):
    await apply_yaml(services, SPACE_DOCUMENT)
    async with octopus_as(services, admin) as client:
        assert (await create_release(client, ProjectName=PROJECT, ReleaseVersion="1.0.0")).status_code == 201
        [task_id] = task_ids(
            await deploy(client, ProjectName=PROJECT, ReleaseVersion="1.0.0", EnvironmentNames=["Dev"])
        )
    async with octopus_as(services, "devwatcher") as watcher:
        refused = await watcher.post(f"/api/tasks/{task_id}/cancel", json={})
    async with octopus_as(services, "productiondeployer") as production:
        also_refused = await production.post(f"{SPACE}/tasks/{task_id}/cancel", json={})
        v1 = await production.post(f"/api/v1/tasks/{task_id}/cancel")
    async with octopus_as(services, "internaldeployer") as internal:
        allowed = await internal.post(f"{SPACE}/tasks/{task_id}/cancel", json={})

    assert refused.status_code == also_refused.status_code == 403
    assert refused.json()["ErrorMessage"] == "missing permission task.cancel"
    assert also_refused.json()["ErrorMessage"] == v1.json()["error"]["message"]
    assert v1.json()["error"]["message"] == 'missing permission task.cancel for environment "Dev"'
    assert allowed.status_code == 200 and allowed.json()["State"] == "Cancelling"
