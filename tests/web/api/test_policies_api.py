"""/api/v1/policies and /api/v1/change-requests against the real app, on both databases: exact statuses,
fields named in errors, nothing written by a refused request, `policy.edit` outside every project role."""

from __future__ import annotations

from typing import Any

from tests.fixtures.api import api_client
from tests.fixtures.approvals import PEOPLE, run_all, user_named
from tests.fixtures.engine import add_user, apply_yaml, deploy, release_of, task_of

from seaway.domain.states import TaskState

PROJECT = """
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    process:
      - {name: Hello, type: script, script: "echo hello"}
"""
LEAD = """  - name: Leads
    members: [lena]
    roles: [{role: project-lead}]
"""


async def _space(services) -> None:
    await add_user(services, "lena", display_name="Lena Lead")
    await apply_yaml(services, PEOPLE.replace("teams:\n", "teams:\n" + LEAD, 1) + PROJECT)


async def _admin(services):
    return api_client(services, await add_user(services, "root", is_admin=True))


def policy(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Two for Test",
        "scope": {"environments": ["Test"]},
        "approvers": {"teams": ["Project Stakeholders"]},
        "minimum": 2,
        **fields,
    }


async def test_policies_crud_and_audit(services):
    await _space(services)
    async with await _admin(services) as root:
        created = await root.post("/api/v1/policies", json=policy())
        policy_id = created.json()["id"]
        listed = await root.get("/api/v1/policies")
        updated = await root.put(f"/api/v1/policies/{policy_id}", json=policy(minimum=3))
        taken = await root.post("/api/v1/policies", json=policy())
        audit = (await root.get("/api/v1/audit-events", params={"action": "policy.updated"})).json()
        deleted = await root.delete(f"/api/v1/policies/{policy_id}")
        gone = await root.get(f"/api/v1/policies/{policy_id}")

    assert created.status_code == 201 and policy_id.startswith("ApprovalPolicies-")
    assert created.json()["approvers"] == {"teams": ["Project Stakeholders"], "users": []}
    assert [p["name"] for p in listed.json()] == ["Two for Test"]
    assert updated.status_code == 200 and updated.json()["minimum"] == 3
    assert taken.status_code == 409
    events = audit["items"] if isinstance(audit, dict) else audit
    assert events and events[0]["entity_id"] == policy_id
    assert deleted.status_code == 204 and gone.status_code == 404


async def test_bad_policies_name_the_field_and_write_nothing(services):
    await _space(services)
    async with await _admin(services) as root:
        unknown_team = await root.post("/api/v1/policies", json=policy(approvers={"teams": ["Nobody"]}))
        too_few = await root.post("/api/v1/policies", json=policy(minimum=0))
        unknown_env = await root.post("/api/v1/policies", json=policy(scope={"environments": ["Qa"]}))
        unknown_clause = await root.post("/api/v1/policies", json=policy(quorum=[{"team": "Ghosts", "minimum": 1}]))
        listed = await root.get("/api/v1/policies")

    assert unknown_team.status_code == 422
    assert unknown_team.json()["error"]["field"] == "approvers.teams[0]"
    assert too_few.status_code == 422 and too_few.json()["error"]["field"] == "minimum"
    assert unknown_env.status_code == 422 and unknown_env.json()["error"]["field"] == "scope.environments[0]"
    assert unknown_clause.status_code == 422 and unknown_clause.json()["error"]["field"] == "quorum[0].team"
    assert listed.json() == []


async def test_a_project_lead_sees_policies_but_cannot_change_them(services):
    await _space(services)
    async with await _admin(services) as root:
        policy_id = (await root.post("/api/v1/policies", json=policy())).json()["id"]
    async with api_client(services, await user_named(services, "lena")) as lena:
        seen = await lena.get(f"/api/v1/policies/{policy_id}")
        switched_off = await lena.delete(f"/api/v1/policies/{policy_id}")
        weakened = await lena.put(f"/api/v1/policies/{policy_id}", json=policy(minimum=1))

    assert seen.status_code == 200
    assert switched_off.status_code == 403 and weakened.status_code == 403
    assert "policy.edit" in switched_off.json()["error"]["message"]


async def test_change_requests_are_decided_through_the_api(services):
    await _space(services)
    async with await _admin(services) as root:
        await root.post("/api/v1/policies", json=policy())
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "alice"))
    await run_all(services)

    async with api_client(services, await user_named(services, "alice")) as alice:
        listed = (await alice.get("/api/v1/change-requests")).json()
        number = listed[0]["id"]
        shown = await alice.get(f"/api/v1/deployments/Deployments-{deployment.id}")
        own = await alice.post(f"/api/v1/change-requests/{number}/approve", json={"note": "mine"})
    async with api_client(services, await user_named(services, "dave")) as dave:
        outsider = await dave.post(f"/api/v1/change-requests/{number}/approve", json={})
    async with api_client(services, await user_named(services, "bob")) as bob:
        no_reason = await bob.post(f"/api/v1/change-requests/{number}/reject", json={"reason": ""})
        first = await bob.post(f"/api/v1/change-requests/{number}/approve", json={"note": "ok"})
        again = await bob.post(f"/api/v1/change-requests/{number}/approve", json={})
        unknown = await bob.get("/api/v1/change-requests/SEA-999")
        bad = await bob.get("/api/v1/change-requests/Deployments-1")
    async with api_client(services, await user_named(services, "erin")) as erin:
        second = await erin.post(f"/api/v1/change-requests/{number.lower()}/approve", json={})
    await run_all(services)

    assert number.startswith("SEA-") and listed[0]["needed"] == 2 and listed[0]["can_decide"] is False
    assert (
        shown.json()["change_request"]["blocked"] == f"blocked by change request {number}, needs 2 approvals (0 so far)"
    )
    assert own.status_code == 403 and own.json()["error"]["code"] == "self_approval"
    assert outsider.status_code == 403 and outsider.json()["error"]["code"] == "not_responsible"
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    assert first.status_code == 200 and first.json()["approvals"] == 1 and first.json()["state"] == "pending"
    assert again.status_code == 409
    assert unknown.status_code == 404 and bad.status_code == 422
    assert second.status_code == 200 and second.json()["state"] == "approved"
    assert [d["username"] for d in second.json()["decisions"]] == ["bob", "erin"]
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_the_preview_names_the_policies_and_whether_anyone_can_approve(services):
    await _space(services)
    admin = await add_user(services, "root", is_admin=True)
    async with api_client(services, admin) as root:
        await root.post("/api/v1/policies", json=policy(minimum=4))  # four stakeholders, one of them deploys
        release = await root.post("/api/v1/projects/Quotes/releases", json={"version": "1.0.0"})
        assert release.status_code == 201
    query = {"project": "Quotes", "release": "1.0.0", "environment": "Test"}
    async with api_client(services, await user_named(services, "alice")) as alice:
        seen = await alice.get("/api/v1/deployments/preview", params=query)
        open_ = await alice.get("/api/v1/deployments/preview", params={**query, "environment": "Dev"})
        unknown = await alice.get("/api/v1/deployments/preview", params={**query, "environment": "Qa"})
    async with api_client(services, admin) as root:
        by_root = await root.get("/api/v1/deployments/preview", params=query)

    assert seen.status_code == 200
    assert seen.json()["gated"] is True and seen.json()["policy"]["policies"] == ["Two for Test"]
    assert seen.json()["approvers"] == ["bob", "erin", "nomail"]
    assert seen.json()["possible"] is False and "4 approvals" in seen.json()["impossible"]
    assert by_root.json()["possible"] is True and by_root.json()["approvers"] == ["alice", "bob", "erin", "nomail"]
    assert open_.json()["gated"] is False and open_.json()["possible"] is True
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "environment"
