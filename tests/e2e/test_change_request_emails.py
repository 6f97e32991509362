"""Change requests over real sockets, on both databases: a real SMTP server receives each approver's
personal links, a real HTTP server serves them. Two confirmed Approve links start the deployment; the
deployer is not asked; a quorum clause per team holds it until that team approves; a Reject with
a reason ends the next deployment at once."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.fixtures.approvals import PEOPLE, links_in, run_all, text_of, user_named
from tests.fixtures.engine import apply_yaml, deploy, make_settings, release_of, task_of
from tests.fixtures.live_server import hidden_fields, live_server

from seaway.bootstrap import build_services
from seaway.domain.states import TaskState

pytestmark = pytest.mark.slow

SPACE = (
    PEOPLE.replace("teams:\n", "teams:\n  - {name: Security, members: [carol]}\n", 1)
    + """projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    process:
      - {name: Hello, type: script, script: "echo hello from #{Octopus.Environment.Name}"}
approval_policies:
  - name: Two people
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
  - name: Security sees Test
    scope: {environments: [Test], projects: [Quotes]}
    approvers: {users: [carol]}
    quorum: [{team: Security, minimum: 1}]
"""
)


async def confirm(http: httpx.AsyncClient, url: str, note: str) -> httpx.Response:
    page = await http.get(url)
    assert page.status_code == 200, page.text
    origin = re.match(r"https?://[^/]+", url)
    assert origin is not None
    return await http.post(url, data=hidden_fields(page.text) | {"note": note}, headers={"Origin": origin.group(0)})


def links_to(messages, address: str) -> dict[str, str]:
    [message] = [m for m in messages if str(m["To"]) == address and str(m["Subject"]).startswith("Approval needed")]
    return links_in(text_of(message))


async def test_change_request_links_decide_over_real_smtp_and_http(db_url, tmp_path, smtp_server):
    def build(public_url: str):
        settings = make_settings(
            db_url, tmp_path / "data", public_url=public_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
        )
        return build_services(settings)

    async with live_server(build) as (_, services), httpx.AsyncClient() as http:
        await apply_yaml(services, SPACE)
        release = await release_of(services, "Quotes")
        first = await deploy(services, release, "Test", user=await user_named(services, "alice"))
        await run_all(services)
        assert (await task_of(services, first))[0].state is TaskState.QUEUED

        # Every eligible approver with an address is emailed their own links; the deployer (alice) is not.
        messages = await smtp_server.wait_for(3)  # bob, erin, carol
        recipients = sorted(str(m["To"]) for m in messages)
        assert recipients == ["bob@example.org", "carol@example.org", "erin@example.org"]
        bob, erin, carol = (links_to(messages, f"{n}@example.org") for n in ("bob", "erin", "carol"))
        assert "Change request SEA-" in text_of(messages[0])

        # A mail scanner's GET decides nothing.
        assert (await http.get(bob["Approve"])).status_code == 200
        assert (await http.head(bob["Reject"])).status_code == 200

        # Two stakeholders approve: the minimum is met, the Security clause is not; carol's approval starts it.
        assert "<h1>Approved</h1>" in (await confirm(http, bob["Approve"], "fine")).text
        assert (await confirm(http, erin["Approve"], "ok too")).status_code == 200
        await run_all(services)
        assert (await task_of(services, first))[0].state is TaskState.QUEUED
        used = await http.get(bob["Approve"])
        assert used.status_code == 200 and "already" in used.text.lower()
        assert (await http.get(bob["Reject"])).status_code == 410  # his other link was spent with his decision
        assert (await confirm(http, carol["Approve"], "security ok")).status_code == 200
        await run_all(services)
        assert (await task_of(services, first))[0].state is TaskState.SUCCESS
        # + alice told of each decision, + three receipts, + alice told how the deployment ended
        messages = await smtp_server.wait_for(3 + 3 + 3 + 1)
        [outcome] = [m for m in messages if str(m["Subject"]).startswith("Deployed:")]
        assert str(outcome["To"]) == "alice@example.org" and "approved by Bob Builder" in text_of(outcome)
        to_alice = [text_of(m) for m in messages if str(m["To"]) == "alice@example.org" and m is not outcome]
        assert len(to_alice) == 3 and any("Approved by Bob Builder: fine" in text for text in to_alice)
        assert sum("more approvals needed" in text for text in to_alice) == 2
        assert any("approved: the deployment starts" in text for text in to_alice)

        # The next deployment, by bob: he is not emailed (his vote would be refused, see test_policies_api.py).
        second = await deploy(services, release, "Test", user=await user_named(services, "bob"))
        await run_all(services)
        messages = await smtp_server.wait_for(10 + 3)  # alice, erin, carol
        alice = links_to(messages[10:], "alice@example.org")

        # A rejection with a reason ends it at once; a Reject without one asks again.
        page = await http.get(alice["Reject"])
        origin = re.match(r"https?://[^/]+", alice["Reject"])
        assert origin is not None
        empty = await http.post(
            alice["Reject"], data=hidden_fields(page.text) | {"note": " "}, headers={"Origin": origin.group(0)}
        )
        assert empty.status_code == 422
        assert (await confirm(http, alice["Reject"], "not during the sale")).status_code == 200
        await run_all(services)
        task, runs = await task_of(services, second)
        assert task.state is TaskState.FAILED and runs == []
        assert task.error is not None and task.error.startswith("Rejected by Alice Approver (SEA-")
        late = await http.get(links_to(messages[10:], "erin@example.org")["Approve"])
        assert "was already rejected" in late.text
