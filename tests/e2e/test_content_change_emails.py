"""Approval bound to content over real sockets, on both databases: approvals given from emailed links are void
once a variable is edited and the release re-snapshotted; new links are emailed, and the email and the
decision page say which variable changed; approving again from the new links starts the new snapshot."""

from __future__ import annotations

import html

import httpx
import pytest
from tests.e2e.test_change_request_emails import confirm, links_to
from tests.fixtures.approvals import PEOPLE, links_in, run_all, text_of, user_named
from tests.fixtures.engine import apply_yaml, deploy, log_of, make_settings, release_of, task_of
from tests.fixtures.live_server import live_server

from seaway.bootstrap import build_services
from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel
from seaway.domain.states import TaskState
from seaway.engine.release_snapshots import snapshot_variables

pytestmark = pytest.mark.slow

CHANGED = 'variable Greeting (unscoped) changed: "hello" → "bonjour"'


def space(greeting: str) -> str:
    return (
        PEOPLE
        + f"""projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    variables:
      - {{name: Greeting, value: {greeting}}}
      - {{name: Token, value: tok-{greeting}, sensitive: true}}
    process:
      - name: Hello
        type: script
        script: |
          echo "#{{Greeting}} from #{{Octopus.Environment.Name}}"
approval_policies:
  - name: Three people
    scope: {{environments: [Test]}}
    approvers: {{teams: [Project Stakeholders]}}
    minimum: 3
"""
    )


async def test_a_re_snapshot_voids_emailed_approvals_and_asks_again_over_real_smtp(db_url, tmp_path, smtp_server):
    def build(public_url: str):
        settings = make_settings(
            db_url, tmp_path / "data", public_url=public_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
        )
        return build_services(settings)

    async with live_server(build) as (_, services), httpx.AsyncClient() as http:
        await apply_yaml(services, space("hello"))
        release = await release_of(services, "Quotes")
        deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
        await run_all(services)
        messages = await smtp_server.wait_for(3)  # alice, bob, erin (nomail has no address)
        alice, bob, erin = (links_to(messages, f"{n}@example.org") for n in ("alice", "bob", "erin"))

        assert (await confirm(http, bob["Approve"], "fine")).status_code == 200
        assert (await confirm(http, erin["Approve"], "ok")).status_code == 200
        await run_all(services)
        messages = await smtp_server.wait_for(3 + 4)  # + two receipts, + dave told of each decision

        await apply_yaml(services, space("bonjour"))
        actor = Actor(await user_named(services, "alice"), Channel.API, AuthMethod.API_KEY)
        async with services.store.transaction() as uow:
            snapshot = await snapshot_variables(uow, release.id, now=services.clock.now(), actor=actor)
        assert CHANGED in snapshot.changes
        await run_all(services)

        messages = await smtp_server.wait_for(7 + 3)  # everyone asked again, bob and erin too
        again = [m for m in messages[7:] if str(m["Subject"]).startswith("Approval needed")]
        assert sorted(str(m["To"]) for m in again) == ["alice@example.org", "bob@example.org", "erin@example.org"]
        for message in again:
            text = text_of(message)
            assert "Asked again: the approvals given before are void because" in text and CHANGED in text
            assert "Token (unscoped) changed (sensitive value)" in text
            assert "tok-hello" not in text and "tok-bonjour" not in text

        # The old links decide nothing any more; the new page says what changed.
        assert (await http.get(alice["Approve"])).status_code == 410
        new = {str(m["To"]).split("@")[0]: links_in(text_of(m)) for m in again}
        page = await http.get(new["alice"]["Approve"])
        assert page.status_code == 200 and "Asked again: " + CHANGED in html.unescape(page.text)
        async with services.store.reading() as uow:
            request = await uow.change_requests.find_for_deployment(deployment.id)
            assert request is not None and request.is_pending
            assert await uow.change_requests.decisions(request.id) == []
        assert (await task_of(services, deployment))[0].state is TaskState.QUEUED

        for name in ("alice", "bob", "erin"):
            assert (await confirm(http, new[name]["Approve"], "again")).status_code == 200
        await run_all(services)
        task, _ = await task_of(services, deployment)
        assert task.state is TaskState.SUCCESS
        assert "bonjour from Test" in await log_of(services, deployment)
