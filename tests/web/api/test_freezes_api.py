"""/api/v1/freezes, a policy's change windows and the freeze override against the real app, on both databases:
exact statuses, fields named in errors, `policy.edit` to change a freeze, `freeze.override` to let one
deployment through."""

from __future__ import annotations

from typing import Any

from tests.fixtures.api import api_client
from tests.fixtures.approvals import run_all, user_named
from tests.fixtures.engine import add_user, deploy, release_of, task_of
from tests.web.api.test_policies_api import _admin, _space, policy

from seaway.domain.states import TaskState

WEEKDAYS = {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "09:00", "end": "17:00", "timezone": "Europe/London"}


def freeze(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Year end",
        "scope": {"environments": ["Dev", "Test"]},
        "start": "2020-12-20T00:00:00Z",
        "end": "2100-01-03T00:00:00Z",
        **fields,
    }


async def test_freezes_crud_and_audit(services):
    await _space(services)
    async with await _admin(services) as root:
        created = await root.post("/api/v1/freezes", json=freeze(description="holidays"))
        freeze_id = created.json()["id"]
        listed = await root.get("/api/v1/freezes")
        by_name = await root.get("/api/v1/freezes/Year end")
        updated = await root.put(f"/api/v1/freezes/{freeze_id}", json=freeze(end="2101-01-01T00:00:00+01:00"))
        taken = await root.post("/api/v1/freezes", json=freeze())
        exported = (await root.get("/api/v1/export")).json()
        applied = await root.post("/api/v1/config/apply", json=exported)
        audit = (await root.get("/api/v1/audit-events", params={"action": "freeze.updated"})).json()
        deleted = await root.delete(f"/api/v1/freezes/{freeze_id}")
        gone = await root.get(f"/api/v1/freezes/{freeze_id}")

    assert created.status_code == 201 and freeze_id.startswith("Freezes-")
    assert created.json() == {
        "id": freeze_id,
        "name": "Year end",
        "description": "holidays",
        "scope": {"projects": [], "environments": ["Dev", "Test"], "tags": []},
        "start": "2020-12-20T00:00:00+00:00",
        "end": "2100-01-03T00:00:00+00:00",
    }
    assert [f["name"] for f in listed.json()] == ["Year end"] and by_name.json()["id"] == freeze_id
    assert updated.status_code == 200 and updated.json()["end"] == "2100-12-31T23:00:00+00:00"
    assert taken.status_code == 409
    assert exported["freezes"] == [
        {
            "name": "Year end",
            "scope": {"environments": ["Dev", "Test"]},
            "start": "2020-12-20T00:00:00+00:00",
            "end": "2100-12-31T23:00:00+00:00",
        }
    ]
    assert applied.status_code == 200 and "freeze Year end" in applied.json()["unchanged"]
    events = audit["items"] if isinstance(audit, dict) else audit
    assert events and events[0]["entity_id"] == freeze_id
    assert deleted.status_code == 204 and gone.status_code == 404


async def test_bad_freezes_name_the_field_and_write_nothing(services):
    await _space(services)
    async with await _admin(services) as root:
        unknown_env = await root.post("/api/v1/freezes", json=freeze(scope={"environments": ["Qa"]}))
        naive = await root.post("/api/v1/freezes", json=freeze(start="2026-12-20T00:00:00"))
        backwards = await root.post("/api/v1/freezes", json=freeze(end="2019-01-01T00:00:00Z"))
        listed = await root.get("/api/v1/freezes")

    assert unknown_env.status_code == 422 and unknown_env.json()["error"]["field"] == "scope.environments[0]"
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "start"
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "end"
    assert listed.json() == []


async def test_a_project_lead_sees_freezes_but_cannot_lift_them(services):
    await _space(services)
    async with await _admin(services) as root:
        freeze_id = (await root.post("/api/v1/freezes", json=freeze())).json()["id"]
    async with api_client(services, await user_named(services, "lena")) as lena:
        seen = await lena.get(f"/api/v1/freezes/{freeze_id}")
        lifted = await lena.delete(f"/api/v1/freezes/{freeze_id}")

    assert seen.status_code == 200
    assert lifted.status_code == 403 and "policy.edit" in lifted.json()["error"]["message"]


async def test_a_policys_change_windows_through_the_api(services):
    await _space(services)
    async with await _admin(services) as root:
        created = await root.post("/api/v1/policies", json=policy(change_windows=[WEEKDAYS]))
        bad_zone = await root.post(
            "/api/v1/policies", json=policy(name="Other", change_windows=[{**WEEKDAYS, "timezone": "Europe/Narnia"}])
        )
        bad_day = await root.post(
            "/api/v1/policies", json=policy(name="Other", change_windows=[{**WEEKDAYS, "days": ["Mon", "Someday"]}])
        )

    assert created.status_code == 201 and created.json()["change_windows"] == [WEEKDAYS]
    assert bad_zone.status_code == 422 and bad_zone.json()["error"]["field"] == "change_windows[0].timezone"
    assert bad_day.status_code == 422 and bad_day.json()["error"]["field"] == "change_windows[0].days[1]"


async def test_an_override_needs_freeze_override_and_a_reason_then_the_deployment_starts(services):
    await _space(services)
    root_user = await add_user(services, "root", is_admin=True)
    async with api_client(services, root_user) as root:
        await root.post("/api/v1/freezes", json=freeze())
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Dev", user=await user_named(services, "dave"))
    await run_all(services)
    path = f"/api/v1/deployments/Deployments-{deployment.id}"

    async with api_client(services, await user_named(services, "dave")) as dave:
        shown = await dave.get(path)
        task = await dave.get(f"/api/v1/tasks/ServerTasks-{deployment.task_id}")
        refused = await dave.post(f"{path}/freeze-override", json={"reason": "it is urgent"})
    async with api_client(services, root_user) as root:
        no_reason = await root.post(f"{path}/freeze-override", json={"reason": " "})
        done = await root.post(f"{path}/freeze-override", json={"reason": "the outage fix"})
        unknown = await root.post("/api/v1/deployments/Deployments-999/freeze-override", json={"reason": "x"})
    await run_all(services)

    assert shown.json()["held"] == "frozen by Year end until 2100-01-03 00:00 UTC"
    assert task.json()["held"] == shown.json()["held"]
    assert refused.status_code == 403 and "freeze.override" in refused.json()["error"]["message"]
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    assert done.status_code == 200 and done.json()["freezes"] == ["Year end"]
    assert done.json()["reason"] == "the outage fix" and done.json()["overridden_by"] == "root"
    assert unknown.status_code == 404
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_the_preview_shows_the_freeze_and_the_window(services):
    await _space(services)
    release = await release_of(services, "Quotes")
    async with await _admin(services) as root:
        await root.post("/api/v1/freezes", json=freeze())
        await root.post("/api/v1/policies", json=policy(change_windows=[WEEKDAYS]))
        seen = await root.get(
            "/api/v1/deployments/preview",
            params={"project": "Quotes", "release": release.version, "environment": "Test"},
        )
    body = seen.json()
    assert seen.status_code == 200
    assert body["freeze"]["name"] == "Year end" and body["freeze"]["until"] == "2100-01-03T00:00:00+00:00"
    assert body["change_window"]["windows"] == ["Two for Test (Mon–Fri 09:00–17:00 Europe/London)"]
    assert isinstance(body["change_window"]["open"], bool)
