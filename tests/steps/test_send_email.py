"""The send-email step: recipients from addresses and teams, the full template syntax, queued exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fixtures.approvals import (
    PEOPLE,
    SIGN_OFF,
    decide,
    interruption_of,
    run_all,
    services_with,
    set_up,
    text_of,
)
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.domain.process import Step, StepType
from seaway.domain.states import StepState, TaskState
from seaway.domain.templates import evaluate
from seaway.steps.base import StepContext
from seaway.store.emails import EmailState

STATUS_EMAIL = """\
      - {name: Build, type: script, script: "echo building"}
      - name: Status
        type: send-email
        to: [team@example.org, ALICE@example.org]
        to_teams: [Project Stakeholders]
        subject: "Quotes #{Octopus.Release.Number} to #{Octopus.Environment.Name}"
        body: |
          #{each step in Octopus.Step}
          StepName: #{step}
          Status: #{step.Status.Code}
          #{/each}
          Deployed by #{Octopus.Deployment.CreatedBy.DisplayName}
          Link: #{Octopus.Web.ServerUri}#{Octopus.Web.DeploymentLink}
"""


def project(steps: str) -> str:
    return PEOPLE + "projects:\n  - name: Quotes\n    lifecycle: Dev, Test, and Prod\n    process:\n" + steps


async def deploy_quotes(services, username: str = "dave"):
    async with services.store.transaction() as uow:
        dave = await uow.users.get_by_username(username)
    return await deploy(services, await release_of(services, "Quotes"), "Test", user=dave)


async def test_the_step_emails_addresses_and_team_members_once_each(db_url, tmp_path, smtp_server):
    async with services_with(db_url, tmp_path / "data", smtp_host=smtp_server.host, smtp_port=smtp_server.port) as svc:
        await apply_yaml(svc, project(STATUS_EMAIL))
        deployment = await deploy_quotes(svc)

        await run_all(svc)

        [message] = await smtp_server.wait_for(1)
        assert (await task_of(svc, deployment))[0].state is TaskState.SUCCESS
        assert smtp_server.envelopes[0].rcpt_tos == (
            "team@example.org",
            "ALICE@example.org",
            "bob@example.org",
            "erin@example.org",
        )
        assert message["Subject"] == "Quotes 0.0.1 to Test"
        text = text_of(message)
        assert "StepName: Build" in text and "Status: Success" in text
        assert "StepName: Status" in text
        assert "Deployed by Dave Deployer" in text
        assert f"Link: http://seaway.test/deployments/Deployments-{deployment.id}" in text
        assert "Queued the email" in await log_of(svc, deployment)


async def test_an_html_body_is_sent_with_a_text_alternative(db_url, tmp_path, smtp_server):
    steps = """\
      - name: Status
        type: send-email
        to: [ops@example.org]
        subject: Done
        is_html: true
        body: "<p>Release <b>#{Octopus.Release.Number}</b> is out</p>"
"""
    async with services_with(db_url, tmp_path / "data", smtp_host=smtp_server.host, smtp_port=smtp_server.port) as svc:
        await apply_yaml(svc, project(steps))
        await deploy_quotes(svc)
        await run_all(svc)

        [message] = await smtp_server.wait_for(1)
        html = message.get_body(preferencelist=("html",))
        assert html is not None and "<b>0.0.1</b>" in html.get_content()
        assert "Release 0.0.1 is out" in text_of(message)


def _context(services, step: Step, tmp_path: Path, task_id: int = 41) -> StepContext:
    values = {"Octopus.Release.Number": "1.2.3"}

    class _Log:
        async def write(self, message: str, level: str = "info") -> None:
            pass

    return StepContext(
        task_id=task_id,
        step_index=2,
        step=step,
        environment="Test",
        variables=values,
        render=lambda template, field="template": evaluate(
            template, values, halt_on_error=False, now=services.clock.now()
        ),
        log=_Log(),
        workdir=tmp_path,
        cancel=asyncio.Event(),
        now=services.clock.now,
    )


async def test_a_re_run_of_the_step_does_not_queue_the_email_twice(services, tmp_path):
    await apply_yaml(services, PEOPLE)
    step = Step(
        "Status", StepType.SEND_EMAIL, {"to": ["ops@example.org"], "subject": "Release #{Octopus.Release.Number}"}
    )
    run = services.orchestrator.executors[StepType.SEND_EMAIL]

    first = await run(_context(services, step, tmp_path))
    second = await run(_context(services, step, tmp_path))  # as after a crash before the step's result was saved

    assert type(first).__name__ == type(second).__name__ == "Succeeded"
    async with services.store.transaction() as uow:
        emails = await uow.emails.list()
        items = await uow.queue.pending("send-email")
    assert [(e.subject, e.state) for e in emails] == [("Release 1.2.3", EmailState.QUEUED)]
    assert len(items) == 1


async def test_no_recipients_is_a_warning_and_a_bad_address_fails_the_step(services):
    steps = """\
      - {name: Nobody, type: send-email, to_teams: [Nobody Here], subject: Hello}
      - {name: Bad, type: send-email, to: ["not an address"], subject: Hello}
"""
    await apply_yaml(services, project(steps))
    deployment = await deploy_quotes(services)

    await run_all(services)

    _, runs = await task_of(services, deployment)
    assert [r.state for r in runs] == [StepState.SUCCEEDED, StepState.FAILED]
    assert "not an email address" in (runs[1].error or "")
    log = await log_of(services, deployment)
    assert 'There is no team "Nobody Here"' in log
    assert "The email has no recipients" in log


async def test_a_failure_email_after_a_rejection_says_who_rejected_and_why(db_url, tmp_path, smtp_server):
    steps = (
        SIGN_OFF
        + """\
      - name: Denied
        type: send-email
        run_condition: failure
        to: [ops@example.org]
        subject: "Quotes #{Octopus.Release.Number} was not deployed"
        body: "User denied the deployment: #{Octopus.Deployment.Error}"
"""
    )
    async with services_with(db_url, tmp_path / "data", smtp_host=smtp_server.host, smtp_port=smtp_server.port) as svc:
        deployment = await set_up(svc, steps)
        await decide(svc, await interruption_of(svc, deployment), "bob", "abort", "tests are red")
        await run_all(svc)

        # three approval emails, the decision and the result to Dave, Bob's receipt, and the failure email
        messages = await smtp_server.wait_for(7)
        denied = [m for m in messages if m["Subject"] == "Quotes 0.0.1 was not deployed"]
        assert len(denied) == 1
        assert "User denied the deployment: Rejected by Bob Builder: tests are red" in text_of(denied[0])
        assert (await task_of(svc, deployment))[0].state is TaskState.FAILED


async def test_sensitive_values_are_masked_in_the_email(db_url, tmp_path, smtp_server):
    steps = """\
      - name: Leaky
        type: send-email
        to: [team@example.org]
        subject: "token #{Api Token}"
        body: "The password is #{Api Token}."
"""
    document = project(steps).replace(
        "    process:\n",
        '    variables:\n      - {name: Api Token, value: "t0ps3cret-value", sensitive: true}\n    process:\n',
    )
    async with services_with(db_url, tmp_path / "data", smtp_host=smtp_server.host, smtp_port=smtp_server.port) as svc:
        await apply_yaml(svc, document)
        await deploy_quotes(svc)

        await run_all(svc)

        [message] = await smtp_server.wait_for(1)
        assert message["Subject"] == "token ********"
        assert "The password is ********." in text_of(message)
        assert "t0ps3cret-value" not in message.as_string()
