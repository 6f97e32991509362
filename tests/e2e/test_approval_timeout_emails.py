"""A timeout that escalates, over real SMTP and HTTP on both databases: nobody decides in time, the Release
Managers are emailed their own links, one of them approves from the email and the deployment starts; the
deployer's outcome email says who approved."""

from __future__ import annotations

import httpx
import pytest
from tests.e2e.test_change_request_emails import confirm, links_to
from tests.engine.test_change_requests import space
from tests.fixtures.approvals import run_all, text_of, user_named
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, deploy, make_settings, release_of, task_of
from tests.fixtures.live_server import live_server

from seaway.bootstrap import build_services
from seaway.domain.states import TaskState

pytestmark = pytest.mark.slow

SPACE = space(
    """
  - name: Two people
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
    timeout: {after: 24h, action: escalate, escalate_to: [Release Managers]}
""",
    "  - {name: Release Managers, members: [carol, dave]}\n",
)


async def test_an_escalated_team_member_approves_from_the_emailed_link(db_url, tmp_path, smtp_server):
    clock = FakeClock()

    def build(public_url: str):
        settings = make_settings(
            db_url, tmp_path / "data", public_url=public_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
        )
        return build_services(settings, clock=clock)

    async with live_server(build) as (_, services), httpx.AsyncClient() as http:
        await apply_yaml(services, SPACE)
        release = await release_of(services, "Quotes")
        deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
        await run_all(services)
        messages = await smtp_server.wait_for(3)
        assert sorted(str(m["To"]) for m in messages) == ["alice@example.org", "bob@example.org", "erin@example.org"]
        assert (await confirm(http, links_to(messages, "alice@example.org")["Approve"], "fine")).status_code == 200
        await run_all(services)
        messages = await smtp_server.wait_for(3 + 2)  # + dave told of alice's decision, + alice's receipt

        clock.advance(hours=23, minutes=59)
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.QUEUED
        clock.advance(minutes=1)
        await run_all(services)
        messages = await smtp_server.wait_for(5 + 1)  # carol: a Release Manager, not an approver before
        carol_asked = links_to(messages, "carol@example.org")
        assert not [m for m in messages[5:] if str(m["To"]) == "dave@example.org"]  # the deployer is not asked
        assert "Release Managers are asked too" in text_of(messages[5])

        assert "<h1>Approved</h1>" in (await confirm(http, carol_asked["Approve"], "release managers ok")).text
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
        messages = await smtp_server.wait_for(6 + 3)  # + dave told, + carol's receipt, + the outcome
        [outcome] = [m for m in messages if str(m["Subject"]).startswith("Deployed:")]
        assert str(outcome["To"]) == "dave@example.org"
        assert "approved by Alice Approver, Carol Outsider" in text_of(outcome)
