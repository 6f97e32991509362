"""`GET /api/v1/audit-events`: filters, cursor paging newest first, scoped auditors, refusals and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.fixtures.engine import add_user
from tests.fixtures.web import api_key_for, http_client

from seaway.domain.users import Team, TeamRole
from seaway.store.audit import AuditEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def record(services, *, count: int = 1, at: datetime = T0, **fields) -> None:
    async with services.store.transaction() as uow:
        for n in range(count):
            values = {"action": "deployment.created", "entity": "deployment", "entity_id": f"Deployments-{n}"}
            await uow.audit.record(AuditEvent(at=at, **{**values, **fields}))


@pytest.fixture
async def log(services):
    """Six events: two in Quotes/Prod by alice, two in Quotes/Dev by bob, one in Other, one with no project."""
    await record(services, count=2, actor="alice", project="Quotes", environment="Prod", actor_kind="user")
    later = T0 + timedelta(minutes=10)
    await record(services, count=2, at=later, actor="bob", project="Quotes", environment="Dev", action="task.canceled")
    await record(services, at=later, actor="carol", project="Other", environment="Prod")
    await record(services, at=later, actor="", action="user.disabled", entity="user", entity_id="Users-9")
    return services


async def as_member(services, username: str, *roles: TeamRole):
    user = await add_user(services, username)
    async with services.store.transaction() as uow:
        await uow.teams.add(Team(f"{username}'s team", (username,), roles))
    return http_client(services, await api_key_for(services, user))


def ids(body) -> list[str]:
    return [e["id"] for e in body["items"]]


async def test_an_administrator_sees_every_event_newest_first_with_its_hashes(log, api):
    response = await api.get("/audit-events")
    assert response.status_code == 200, response.text
    body = response.json()
    assert ids(body) == [f"AuditEvents-{n}" for n in range(6, 0, -1)] and body["next_cursor"] is None
    newest, oldest = body["items"][0], body["items"][-1]
    assert newest["action"] == "user.disabled" and newest["project"] is None
    assert oldest["actor"] == "alice" and oldest["project"] == "Quotes" and oldest["environment"] == "Prod"
    assert set(oldest) == {
        "id", "time", "actor", "actor_kind", "auth", "channel", "ip", "user_agent", "action", "entity",
        "entity_id", "project", "environment", "details", "hash", "prev_hash",
    }  # fmt: skip
    assert oldest["prev_hash"] == "0" * 64 and body["items"][-2]["prev_hash"] == oldest["hash"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "ALICE"}, [2, 1]),
        ({"project": "quotes", "environment": "dev"}, [4, 3]),
        ({"action": "task.canceled"}, [4, 3]),
        ({"environment": "Prod"}, [5, 2, 1]),
    ],
)
async def test_filters_combine(log, api, query, expected):
    body = (await api.get("/audit-events", params=query)).json()
    assert ids(body) == [f"AuditEvents-{n}" for n in expected]


async def test_time_bounds_keep_from_inclusive_and_to_exclusive(log, api):
    later = T0 + timedelta(minutes=10)

    async def listed(**params) -> list[str]:
        return ids((await api.get("/audit-events", params=params)).json())

    assert len(await listed(**{"from": T0.isoformat()})) == 6
    assert await listed(**{"from": later.isoformat()}) == [f"AuditEvents-{n}" for n in (6, 5, 4, 3)]
    assert await listed(to=later.isoformat()) == ["AuditEvents-2", "AuditEvents-1"]
    assert await listed(**{"from": "2026-03-02T10:05:00+01:00", "to": "2026-03-02T09:10:00Z"}) == []
    assert await listed(to="2026-03-02") == []  # a date is its midnight, UTC


async def test_the_cursor_pages_through_the_log_without_repeats_or_holes(log, api):
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, object] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = (await api.get("/audit-events", params=params)).json()
        seen += ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"AuditEvents-{n}" for n in range(6, 0, -1)] and pages == 2


async def test_an_auditor_scoped_to_a_project_sees_only_its_events(log):
    async with await as_member(log, "quinn", TeamRole("auditor", projects=("Quotes",))) as client:
        body = (await client.get("/audit-events")).json()
        assert ids(body) == [f"AuditEvents-{n}" for n in (4, 3, 2, 1)]
        assert (await client.get("/audit-events", params={"project": "Other"})).json()["items"] == []


async def test_an_auditor_scoped_to_an_environment_sees_its_events_in_every_project(log):
    async with await as_member(log, "pat", TeamRole("auditor", environments=("Prod",))) as client:
        assert ids((await client.get("/audit-events")).json()) == [f"AuditEvents-{n}" for n in (5, 2, 1)]


async def test_only_an_unscoped_auditor_sees_events_that_name_no_project(log):
    async with await as_member(log, "una", TeamRole("auditor")) as client:
        assert len((await client.get("/audit-events")).json()["items"]) == 6


async def test_without_audit_view_anywhere_the_list_is_empty_as_every_scoped_list_is(log):
    async with await as_member(log, "dev", TeamRole("project-deployer")) as client:
        response = await client.get("/audit-events")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_without_a_key_it_is_401(log):
    async with http_client(log) as client:
        assert (await client.get("/audit-events")).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
    ],
)
async def test_bad_query_values_are_refused_naming_the_field(log, api, params, field):
    response = await api.get("/audit-events", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
