"""The story that must always work, over real sockets: a real SMTP server receives the approval emails and
a real HTTP server (uvicorn on a loopback port) serves the links they carry.

A mail scanner's visit (GET, HEAD, twice, both links) decides nothing; Alice's confirmed Approve lets the
deployment continue; on the next deployment Bob's Reject with a reason stops it, the failure-only email
step runs, and the deployer is emailed who rejected it and why.
"""

from __future__ import annotations

import logging
import re
from email.message import EmailMessage

import httpx
import pytest
from tests.fixtures.approvals import PEOPLE, interruption_of, links_in, run_all, text_of, user_named
from tests.fixtures.engine import apply_yaml, deploy, make_settings, release_of, task_of
from tests.fixtures.live_server import decision_state, hidden_fields, live_server

from seaway.bootstrap import build_services
from seaway.domain.states import StepState, TaskState

pytestmark = pytest.mark.slow

STEPS = """\
      - {name: Build, type: script, script: "echo building #{Octopus.Release.Number}"}
      - name: Sign Off
        type: manual-intervention
        instructions: "Open the application and confirm it meets all the requirements."
        responsible_teams: [Project Stakeholders]
        email_links: true
      - name: Deploy
        type: script
        script: "echo approved by #{Octopus.Action[Sign Off].Output.Manual.ResponsibleUser.DisplayName}"
      - name: Tell the deployer
        type: send-email
        run_condition: failure
        to: [dave@example.org]
        subject: "Failed: #{Octopus.Project.Name} #{Octopus.Release.Number} to #{Octopus.Environment.Name}"
        body: "#{Octopus.Deployment.Error}"
"""
SPACE = PEOPLE + "projects:\n  - name: Quotes\n    lifecycle: Dev, Test, and Prod\n    process:\n" + STEPS


def approval_links_for(messages: list[EmailMessage], address: str) -> dict[str, str]:
    [message] = [m for m in messages if str(m["To"]) == address and str(m["Subject"]).startswith("Approval needed")]
    return links_in(text_of(message))


def emails_to(messages: list[EmailMessage], address: str, subject_start: str) -> list[str]:
    return [text_of(m) for m in messages if str(m["To"]) == address and str(m["Subject"]).startswith(subject_start)]


async def confirm(http: httpx.AsyncClient, url: str, note: str) -> httpx.Response:
    """What a person does: open the page, type a note, press the one button."""
    page = await http.get(url)
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text) | {"note": note}
    origin = re.match(r"https?://[^/]+", url)
    assert origin is not None
    return await http.post(url, data=form, headers={"Origin": origin.group(0)})


async def test_email_links_approve_then_reject_over_real_smtp_and_http(db_url, tmp_path, smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="uvicorn.access")

    def build(public_url: str):
        settings = make_settings(
            db_url, tmp_path / "data", public_url=public_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
        )
        return build_services(settings)

    async with live_server(build) as (base_url, services), httpx.AsyncClient() as http:
        await apply_yaml(services, SPACE)

        # 1. A deployment to Test waits at the sign-off; every stakeholder with an address gets an email.
        release, dave = await release_of(services, "Quotes"), await user_named(services, "dave")
        first = await deploy(services, release, "Test", user=dave)
        await run_all(services)
        assert (await task_of(services, first))[0].state is TaskState.WAITING
        messages = await smtp_server.wait_for(3)
        alice = approval_links_for(messages, "alice@example.org")
        assert set(alice) == {"Approve", "Reject"}
        assert all(url.startswith(f"{base_url}/links/") for url in alice.values())

        # 2. A mail scanner opens both links, twice, with GET and HEAD: nothing is decided.
        before = await decision_state(services)
        for url in (alice["Approve"], alice["Reject"], alice["Approve"], alice["Reject"]):
            assert (await http.get(url)).status_code == 200
            assert (await http.head(url)).status_code == 200
        await run_all(services)
        assert await decision_state(services) == before
        assert (await task_of(services, first))[0].state is TaskState.WAITING

        # 3. Alice confirms her Approve link with a note: the deployment continues and succeeds.
        approved = await confirm(http, alice["Approve"], "Looks good on Test")
        assert approved.status_code == 200
        assert "<h1>Approved</h1>" in approved.text
        await run_all(services)
        task, runs = await task_of(services, first)
        assert task.state is TaskState.SUCCESS
        assert [run.state for run in runs] == [StepState.SUCCEEDED] * 3 + [StepState.SKIPPED]
        messages = await smtp_server.wait_for(6)  # + the deployer's notice, Alice's receipt, the result
        [notice] = emails_to(messages, "dave@example.org", "Approved")
        assert "Approved by Alice Approver: Looks good on Test" in notice
        [receipt] = emails_to(messages, "alice@example.org", "You approved Quotes 0.0.1 to Test")
        assert "through an emailed approval link from 127.0.0.1" in receipt
        assert "Looks good on Test" in receipt and "If this was not you" in receipt
        used = await http.get(alice["Approve"])
        assert "was already approved by Alice Approver at" in used.text

        # 4. The release goes on to Prod: Bob rejects with a reason, the failure-only step emails the deployer.
        second = await deploy(services, release, "Prod", user=dave)
        await run_all(services)
        messages = await smtp_server.wait_for(9)
        bob = approval_links_for(messages[6:], "bob@example.org")
        without_reason = await confirm(http, bob["Reject"], "")
        assert without_reason.status_code == 422
        rejected = await confirm(http, bob["Reject"], "The banner is wrong")
        assert rejected.status_code == 200
        assert "<h1>Rejected</h1>" in rejected.text
        await run_all(services)
        task, runs = await task_of(services, second)
        assert task.state is TaskState.FAILED
        assert [run.state for run in runs] == [
            StepState.SUCCEEDED,
            StepState.FAILED,
            StepState.SKIPPED,
            StepState.SUCCEEDED,
        ]
        interruption = await interruption_of(services, second)
        assert (interruption.outcome.value, interruption.channel) == ("Rejected", "email-link")
        messages = await smtp_server.wait_for(13)  # + notice, Bob's receipt, the failure step's email, result
        [decision] = emails_to(messages, "dave@example.org", "Rejected")
        [receipt] = emails_to(messages, "bob@example.org", "You rejected Quotes 0.0.1 to Prod")
        assert "The banner is wrong" in receipt
        assert "Rejected by Bob Builder: The banner is wrong" in decision
        [failure] = emails_to(messages, "dave@example.org", "Failed: Quotes")
        assert "Rejected by Bob Builder: The banner is wrong" in failure

    # 5. The access log named every link by its first six characters only.
    access = [record.getMessage() for record in caplog.records if record.name == "uvicorn.access"]
    assert any("/links/" in line for line in access)
    for url in (alice["Approve"], alice["Reject"], bob["Reject"]):
        token = url.rsplit("/", 1)[1]
        assert not any(token in line for line in access)
        assert any(f"/links/{token[:6]}…" in line for line in access)
