"""/api/v1/interruptions and /api/v1/outbox against the real app, on both databases."""

from __future__ import annotations

from tests.fixtures.api import api_client
from tests.fixtures.approvals import deploy_as, interruption_of, run_all, set_up, space, user_named
from tests.fixtures.engine import add_user, apply_yaml, log_of, task_of

from seaway.domain.interruptions import InterruptionState
from seaway.domain.states import TaskState


async def _client(services, username: str):
    return api_client(services, await user_named(services, username))


async def test_pending_interruptions_are_listed_and_the_task_says_what_it_waits_for(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    public_id = f"Interruptions-{interruption.id}"

    async with await _client(services, "alice") as alice:
        listed = (await alice.get("/api/v1/interruptions", params={"state": "pending"})).json()
        one = (await alice.get(f"/api/v1/interruptions/{public_id}")).json()
        by_number = await alice.get(f"/api/v1/interruptions/{interruption.id}")
        task = (await alice.get(f"/api/v1/tasks/ServerTasks-{deployment.task_id}")).json()

    assert [item["id"] for item in listed] == [public_id]
    assert one["state"] == "pending" and one["can_decide"] is True
    assert (one["project"], one["release"], one["environment"], one["step"]) == ("Quotes", "0.0.1", "Test", "Sign Off")
    assert one["instructions"] == "Check **Test** for release 0.0.1"
    assert one["responsible_teams"] == ["Project Stakeholders"]
    assert by_number.json()["id"] == public_id
    assert task["state"] == "waiting" and task["waiting_for"] == [public_id]


async def test_mine_keeps_only_what_the_caller_may_decide(services):
    await set_up(services)

    async with await _client(services, "carol") as carol:
        everything = (await carol.get("/api/v1/interruptions")).json()
        mine = (await carol.get("/api/v1/interruptions", params={"mine": "true"})).json()
    async with await _client(services, "bob") as bob:
        bobs = (await bob.get("/api/v1/interruptions", params={"mine": "true"})).json()

    assert len(everything) == 1 and everything[0]["can_decide"] is False
    assert mine == []
    assert len(bobs) == 1


async def test_approving_through_the_api_resumes_the_deployment(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)

    async with await _client(services, "alice") as alice:
        taken = await alice.post(f"/api/v1/interruptions/{interruption.id}/take")
        submitted = await alice.post(
            f"/api/v1/interruptions/Interruptions-{interruption.id}/submit",
            json={"result": "proceed", "notes": "ship it"},
            headers={"User-Agent": "pytest"},
        )
        await run_all(services)
        completed = (await alice.get("/api/v1/interruptions", params={"state": "completed"})).json()
        task = (await alice.get(f"/api/v1/tasks/ServerTasks-{deployment.task_id}")).json()

    assert taken.status_code == 200 and taken.json()["taken_by"]["username"] == "alice"
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert (body["state"], body["result"], body["outcome"], body["notes"]) == (
        "resolved",
        "proceed",
        "Approved",
        "ship it",
    )
    assert body["decided_by"]["display_name"] == "Alice Approver" and body["channel"] == "api"
    assert [item["id"] for item in completed] == [body["id"]]
    assert task["state"] == "success" and task["waiting_for"] == []
    assert "approved=True by=Alice Approver" in await log_of(services, deployment)
    async with services.store.transaction() as uow:
        events = await uow.audit.list(entity="interruption", entity_id=body["id"])
    assert [e.action for e in events] == ["interruption.requested", "interruption.taken", "interruption.submitted"]
    assert events[-1].details["auth_method"] == "api-key"
    assert events[2].user_agent == "pytest" and events[2].actor == "alice"


async def test_rejecting_needs_a_reason(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)

    async with await _client(services, "bob") as bob:
        no_reason = await bob.post(f"/api/v1/interruptions/{interruption.id}/submit", json={"result": "abort"})
        bad_result = await bob.post(f"/api/v1/interruptions/{interruption.id}/submit", json={"result": "maybe"})
        rejected = await bob.post(
            f"/api/v1/interruptions/{interruption.id}/submit", json={"result": "abort", "notes": "tests are red"}
        )
    await run_all(services)

    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "notes"
    assert bad_result.status_code == 422 and bad_result.json()["error"]["field"] == "result"
    assert rejected.status_code == 200
    task, _ = await task_of(services, deployment)
    assert task.state is TaskState.FAILED and task.error == "Rejected by Bob Builder: tests are red"


async def test_someone_not_responsible_gets_403_and_a_second_decision_409(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    path = f"/api/v1/interruptions/{interruption.id}"

    async with await _client(services, "carol") as carol:
        refused_take = await carol.post(f"{path}/take")
        refused = await carol.post(f"{path}/submit", json={"result": "proceed"})
    async with await _client(services, "alice") as alice:
        first = await alice.post(f"{path}/submit", json={"result": "proceed", "notes": "ok"})
    async with await _client(services, "bob") as bob:
        second = await bob.post(f"{path}/submit", json={"result": "abort", "notes": "no"})
        late_take = await bob.post(f"{path}/take")

    assert refused_take.status_code == refused.status_code == 403
    assert first.status_code == 200
    assert second.status_code == late_take.status_code == 409
    assert "already decided by Alice Approver at " in second.json()["error"]["message"]


async def test_the_deployer_gets_403_on_their_own_gate_and_does_not_see_it_as_theirs(services):
    await apply_yaml(services, space())
    deployment = await deploy_as(services, "alice")
    await run_all(services)
    interruption = await interruption_of(services, deployment)
    path = f"/api/v1/interruptions/{interruption.id}"

    async with await _client(services, "alice") as alice:
        shown = (await alice.get(path)).json()
        mine = (await alice.get("/api/v1/interruptions", params={"mine": "true"})).json()
        refused_take = await alice.post(f"{path}/take")
        refused = await alice.post(f"{path}/submit", json={"result": "proceed", "notes": "mine, fine"})

    assert shown["can_decide"] is False and shown["allow_self_approval"] is False
    assert shown["requested_by"]["username"] == "alice"
    assert mine == []
    assert refused_take.status_code == refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "self_approval"
    assert 'user "alice" started this deployment and may not decide its own approval' in error["message"]
    assert (await interruption_of(services, deployment)).state is InterruptionState.PENDING


async def test_unknown_or_malformed_ids_are_404_and_422(services):
    await set_up(services)
    async with await _client(services, "alice") as alice:
        missing = await alice.get("/api/v1/interruptions/Interruptions-999")
        malformed = await alice.post("/api/v1/interruptions/nope/submit", json={"result": "proceed"})
        bad_state = await alice.get("/api/v1/interruptions", params={"state": "later"})
        anonymous = await alice.get("/api/v1/interruptions", headers={"X-Seaway-ApiKey": "API-WRONG"})

    assert missing.status_code == 404
    assert malformed.status_code == 422 and malformed.json()["error"]["field"] == "id"
    assert bad_state.status_code == 422 and bad_state.json()["error"]["field"] == "state"
    assert anonymous.status_code == 401


async def test_the_outbox_lists_kept_emails_newest_first_for_administrators_only(services):
    await set_up(services)
    admin = await add_user(services, "root", email="root@example.org", is_admin=True)

    async with api_client(services, admin) as root:
        outbox = await root.get("/api/v1/outbox")
        kept = await root.get("/api/v1/outbox", params={"state": "kept"})
    async with await _client(services, "alice") as alice:
        refused = await alice.get("/api/v1/outbox")

    assert outbox.status_code == 200
    emails = outbox.json()
    assert len(emails) == 3 and len(kept.json()) == 3
    assert [e["id"] for e in emails] == sorted((e["id"] for e in emails), key=lambda i: -int(i.split("-")[1]))
    assert all(
        e["state"] == "kept" and e["subject"].startswith("Approval needed: Quotes 0.0.1 to Test") for e in emails
    )
    assert all("Approve: http://seaway.test/links/" in e["text"] and e["html"] for e in emails)
    assert refused.status_code == 403
