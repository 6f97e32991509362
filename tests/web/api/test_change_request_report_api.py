"""`GET /api/v1/change-requests?from=&to=`: the auditors' report of a period, on both databases: the period
filters by creation, a bad bound is refused naming its field, and nobody sees a request they may not see."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.fixtures.api import api_client
from tests.fixtures.approvals import HELLO_PROJECT, PEOPLE, TWO_FOR_TEST, deploy_as, run_all, services_with, user_named
from tests.fixtures.clock import FakeClock
from tests.fixtures.databases import statements_issued
from tests.fixtures.engine import apply_yaml

from seaway.bootstrap import Services
from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel, Result
from seaway.engine.change_requests import decide
from seaway.store.audit import AuditEvent

SPACE = (
    PEOPLE.replace(
        "teams:\n",
        "teams:\n  - name: Prod viewers\n    members: [vera]\n"
        "    roles: [{role: project-viewer, environments: [Prod]}]\n",
        1,
    ).replace("users:\n", "users:\n  - {username: vera, display_name: Vera Viewer}\n", 1)
    + HELLO_PROJECT
    + TWO_FOR_TEST
)


@pytest.fixture
async def services(db_url, tmp_path) -> AsyncIterator[Services]:
    async with services_with(db_url, tmp_path / "data", clock=FakeClock()) as built:
        await apply_yaml(built, SPACE)
        yield built


async def _decide(services: Services, number: int, username: str, result: Result, notes: str = "") -> None:
    actor = Actor(await user_named(services, username), Channel.API, AuthMethod.API_KEY)
    async with services.store.transaction() as uow:
        await decide(uow, number, actor, result=result, notes=notes, now=services.clock.now(), public_url="http://x")


async def _number(services: Services, deployment_id: int) -> int:
    async with services.store.reading() as uow:
        found = await uow.change_requests.find_for_deployment(deployment_id)
    assert found is not None and found.id is not None
    return found.id


async def test_the_report_of_a_period_holds_decisions_times_outcomes_and_audited_waits(services):
    clock = services.clock
    first = await _number(services, (await deploy_as(services)).id)  # 09:00, approved at 10:30
    clock.advance(minutes=30)
    await _decide(services, first, "alice", Result.PROCEED, "looks fine")
    clock.advance(hours=1)
    await _decide(services, first, "bob", Result.PROCEED)
    async with services.store.transaction() as uow:  # as the change windows record a wait
        await uow.audit.record(
            AuditEvent(
                at=clock.now(), action="change_request.window_wait", entity="change_request",
                entity_id=f"SEA-{first}", details={"window": "Weeknights", "opens_at": "2026-03-02T20:00:00+00:00"},
                actor="seaway", project="Quotes", environment="Test",
            )
        )  # fmt: skip
    clock.advance(days=1)  # 2026-03-03 10:30
    second = await _number(services, (await deploy_as(services, project="Quotes")).id)
    clock.advance(minutes=5)
    await _decide(services, second, "erin", Result.ABORT, "not today")
    await run_all(services)

    async with api_client(services, await user_named(services, "dave")) as api:
        day_one = (await api.get("/api/v1/change-requests", params={"from": "2026-03-02", "to": "2026-03-03"})).json()
        both = (await api.get("/api/v1/change-requests", params={"from": "2026-03-02T00:00:00Z"})).json()
        rejected = await api.get("/api/v1/change-requests", params={"to": "2026-03-04", "state": "completed"})
        empty = (await api.get("/api/v1/change-requests", params={"from": "2026-03-05"})).json()

    assert [r["id"] for r in day_one] == [f"SEA-{first}"]
    [approved] = day_one
    assert approved["requested_by"] == "dave" and approved["approver_teams"] == ["Project Stakeholders"]
    assert [(d["username"], d["result"], d["channel"], d["notes"]) for d in approved["decisions"]] == [
        ("alice", "proceed", "api", "looks fine"),
        ("bob", "proceed", "api", ""),
    ]
    assert approved["decisions"][0]["decided_at"] == "2026-03-02T09:30:00+00:00"
    assert approved["seconds_to_decision"] == 5400
    assert approved["outcome"] == {"state": "approved", "reason": ""}
    [wait] = approved["window_waits"]
    assert wait["details"] == {"window": "Weeknights", "opens_at": "2026-03-02T20:00:00+00:00"}
    assert wait["actor"] == "seaway" and set(wait) == {"id", "time", "actor", "channel", "details"}  # no IP
    assert approved["freeze_overrides"] == [] and approved["escalations"] == [] and approved["timeouts"] == []
    assert [r["id"] for r in both] == [f"SEA-{first}", f"SEA-{second}"]  # oldest first
    assert both[1]["outcome"] == {"state": "rejected", "reason": f"Rejected by Erin Engineer (SEA-{second}): not today"}
    assert both[1]["seconds_to_decision"] == 300
    assert [r["id"] for r in rejected.json()] == [f"SEA-{first}", f"SEA-{second}"]
    assert empty == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "yesterday"}, "from"), ({"to": "2026-13-01"}, "to"), ({"from": "2026-03-02", "to": "2026-03-01"}, "to")],
)
async def test_a_bad_bound_is_refused_naming_its_field(services, params, field):
    async with api_client(services, await user_named(services, "dave")) as api:
        answer = await api.get("/api/v1/change-requests", params=params)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


async def test_the_report_keeps_to_what_the_caller_may_see(services):
    await deploy_as(services)  # gated in Test
    async with api_client(services, await user_named(services, "vera")) as vera:  # sees Prod only
        hers = (await vera.get("/api/v1/change-requests", params={"from": "2026-01-01"})).json()
    async with api_client(services, await user_named(services, "carol")) as carol:  # sees everything
        theirs = (await carol.get("/api/v1/change-requests", params={"from": "2026-01-01"})).json()
    assert hers == [] and len(theirs) == 1


async def test_the_report_reads_the_same_number_of_statements_for_2_and_8_requests(services):
    async def statements() -> tuple[int, int]:
        async with api_client(services, await user_named(services, "carol")) as api:
            with statements_issued() as issued:
                listed = (await api.get("/api/v1/change-requests", params={"from": "2026-01-01"})).json()
        return len(issued), len(listed)

    for _ in range(2):
        await deploy_as(services)
    small = await statements()
    for _ in range(6):
        await deploy_as(services)
    large = await statements()

    assert small[1] == 2 and large[1] == 8
    assert small[0] == large[0]


async def test_a_timeout_shows_in_the_report_as_the_audit_log_recorded_it(services):
    await apply_yaml(services, SPACE + "    timeout: {after: 8h, action: reject}\n    reminders: {every: 3h}\n")
    number = await _number(services, (await deploy_as(services)).id)
    for hours in (3, 3, 2):  # reminded at 3h and 6h, timed out at 8h (the next reminder would be at 9h)
        services.clock.advance(hours=hours)
        await run_all(services)

    async with api_client(services, await user_named(services, "carol")) as api:
        [reported] = (await api.get("/api/v1/change-requests", params={"from": "2026-03-02"})).json()

    assert reported["id"] == f"SEA-{number}" and reported["outcome"]["state"] == "rejected"
    assert reported["seconds_to_decision"] == 8 * 3600
    [timed_out] = reported["timeouts"]
    assert timed_out["details"]["action"] == "reject" and timed_out["actor"] == "seaway"
    assert [sorted(r["details"]["users"]) for r in reported["reminders"]] == [["alice", "bob", "erin"]] * 2
