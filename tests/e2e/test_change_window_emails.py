"""A two-person rule with a change window over real sockets, on both databases: Prod needs two approvers and
may only be deployed on weekdays 09:00–17:00 London time. Two emailed Approve links (a real SMTP server, a
real HTTP server) approve the deployment on a Saturday; it waits as a row with nothing due before Monday's
opening; the clock moves to the opening and it starts."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from tests.e2e.test_change_request_emails import confirm, links_to
from tests.fixtures.approvals import PEOPLE, run_all, user_named
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, deploy, log_of, make_settings, release_of, task_of
from tests.fixtures.live_server import live_server

from seaway.bootstrap import build_services
from seaway.domain.states import TaskState

pytestmark = pytest.mark.slow

SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)

SPACE = (
    PEOPLE
    + """projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    process:
      - {name: Hello, type: script, script: "echo hello from #{Octopus.Environment.Name}"}
approval_policies:
  - name: Prod two-person rule
    scope: {environments: [Prod]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
    change_windows:
      - {days: [Mon, Tue, Wed, Thu, Fri], start: "09:00", end: "17:00", timezone: Europe/London}
"""
)


async def test_two_emailed_approvals_then_the_deployment_starts_when_its_window_opens(db_url, tmp_path, smtp_server):
    clock = FakeClock(SATURDAY)

    def build(public_url: str):
        settings = make_settings(
            db_url, tmp_path / "data", public_url=public_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
        )
        return build_services(settings, clock=clock)

    async with live_server(build) as (_, services), httpx.AsyncClient() as http:
        await apply_yaml(services, SPACE)
        release = await release_of(services, "Quotes")
        dave = await user_named(services, "dave")
        test = await deploy(services, release, "Test", user=dave)
        await run_all(services)
        assert (await task_of(services, test))[0].state is TaskState.SUCCESS  # Test is not gated

        prod = await deploy(services, release, "Prod", user=dave)
        await run_all(services)
        messages = await smtp_server.wait_for(3)  # alice, bob, erin (nomail has no address)
        alice, bob = links_to(messages, "alice@example.org"), links_to(messages, "bob@example.org")

        assert (await confirm(http, alice["Approve"], "fine")).status_code == 200
        assert (await confirm(http, bob["Approve"], "go ahead on Monday")).status_code == 200
        await run_all(services)
        task, runs = await task_of(services, prod)
        assert task.state is TaskState.QUEUED and runs == []  # approved, but outside its window: a row
        log = await log_of(services, prod)
        assert "approved by Bob Builder; the deployment may start" in log
        assert (
            "The deployment is waiting for the change window of Prod two-person rule "
            "(Mon–Fri 09:00–17:00 Europe/London), opens 2026-03-09 09:00 GMT"
        ) in log
        async with services.store.transaction() as uow:
            assert await uow.queue.next_run_after() == MONDAY_OPENING  # no polling: one item due at the opening

        clock.advance(days=1, hours=23)  # Monday 09:00 GMT
        await run_all(services)
        assert (await task_of(services, prod))[0].state is TaskState.SUCCESS
        assert "hello from Prod" in await log_of(services, prod)
