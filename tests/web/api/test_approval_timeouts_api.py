"""A policy's timeout and reminders through /api/v1/policies, the preview and `seaway export`, on both
databases: stored and shown as written, a bad one refused naming its field, and the export applies back
unchanged."""

from __future__ import annotations

from tests.config.test_export import apply_text, export_text
from tests.fixtures.api import api_client
from tests.fixtures.approvals import PEOPLE
from tests.fixtures.engine import add_user, apply_yaml
from tests.web.api.test_policies_api import policy

from seaway.config.documents import load_text

SPACE = PEOPLE.replace("teams:\n", "teams:\n  - {name: Release Managers, members: [carol]}\n", 1) + (
    "projects:\n  - name: Quotes\n    lifecycle: Dev, Test, and Prod\n    process:\n"
    '      - {name: Hello, type: script, script: "echo hello"}\n'
)
TIMEOUT = {"after": "24h", "action": "escalate", "escalate_to": ["release managers"]}


async def test_a_timeout_is_stored_shown_and_previewed(services):
    await apply_yaml(services, SPACE)
    async with api_client(services, await add_user(services, "root", is_admin=True)) as root:
        created = await root.post("/api/v1/policies", json=policy(timeout=TIMEOUT, reminders={"every": "4h"}))
        shown = await root.get(f"/api/v1/policies/{created.json()['id']}")
        await root.post("/api/v1/projects/Quotes/releases", json={"version": "1.0.0"})
        seen = await root.get(
            "/api/v1/deployments/preview", params={"project": "Quotes", "release": "1.0.0", "environment": "Test"}
        )
    assert created.status_code == 201, created.text
    # The team's name as it is stored, whatever the case it was written in.
    written = {"after": "1d", "action": "escalate", "escalate_to": ["Release Managers"]}
    assert shown.json()["timeout"] == written and shown.json()["reminders"] == {"every": "4h"}
    merged = seen.json()["policy"]
    assert merged["timeouts"] == [{"policy": "Two for Test", **written}] and merged["remind_every"] == "4h"


async def test_a_bad_timeout_is_refused_naming_its_field_and_nothing_is_written(services):
    await apply_yaml(services, SPACE)
    async with api_client(services, await add_user(services, "root", is_admin=True)) as root:
        unknown_team = await root.post("/api/v1/policies", json=policy(timeout={**TIMEOUT, "escalate_to": ["Ghosts"]}))
        no_teams = await root.post("/api/v1/policies", json=policy(timeout={"after": "1h", "action": "escalate"}))
        bad_after = await root.post("/api/v1/policies", json=policy(timeout={"after": "1y", "action": "reject"}))
        too_often = await root.post("/api/v1/policies", json=policy(reminders={"every": "1m"}))
        listed = await root.get("/api/v1/policies")
    assert unknown_team.status_code == 422 and unknown_team.json()["error"]["field"] == "timeout.escalate_to[0]"
    assert no_teams.status_code == 422 and no_teams.json()["error"]["field"] == "timeout.escalate_to"
    assert bad_after.status_code == 422 and bad_after.json()["error"]["field"] == "timeout.after"
    assert too_often.status_code == 422 and too_often.json()["error"]["field"] == "reminders.every"
    assert listed.json() == []


async def test_the_export_writes_the_timeout_back_as_apply_reads_it(services):
    await apply_yaml(
        services,
        SPACE
        + "approval_policies:\n"
        + "  - name: Escalating\n    approvers: {teams: [Project Stakeholders]}\n"
        + "    timeout: {after: 1h30m, action: escalate, escalate_to: [Release Managers]}\n"
        + "    reminders: {every: 30m}\n"
        + "  - name: Rejecting\n    approvers: {users: [carol]}\n    timeout: {after: 2d, action: reject}\n",
    )
    exported = await export_text(services)
    assert [{k: p.get(k) for k in ("timeout", "reminders")} for p in load_text(exported)["approval_policies"]] == [
        {
            "timeout": {"after": "1h30m", "action": "escalate", "escalate_to": ["Release Managers"]},
            "reminders": {"every": "30m"},
        },
        {"timeout": {"after": "2d", "action": "reject"}, "reminders": None},
    ]
    result = await apply_text(services, exported)
    assert not result.created and not result.updated
    assert await export_text(services) == exported
