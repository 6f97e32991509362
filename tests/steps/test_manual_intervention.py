"""The manual-intervention step end to end on both databases: wait, decide, resume, outputs, links, races."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.fixtures.approvals import (
    SIGN_OFF,
    decide,
    deploy_as,
    interruption_of,
    links_in,
    run_all,
    services_with,
    set_up,
    space,
    text_of,
    token_of,
    user_named,
)
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, log_of, task_of

from seaway.domain.interruptions import InterruptionState, LinkNotUsable, LinkStatus
from seaway.domain.states import StepState, TaskState
from seaway.engine.decisions import link_status_of, waiting_for
from seaway.engine.deployments import request_cancel
from seaway.engine.orchestrator import RUN_TASK, run_task_key
from seaway.errors import (
    ContentChanged,
    DeploymentCanceled,
    InterruptionAlreadyDecided,
    NotResponsible,
    SelfApprovalRefused,
)
from seaway.security.tokens import hash_token, token_fingerprint
from seaway.store.tables import deployment_slots, metadata, releases, work_items


async def test_a_deployment_waits_at_the_step_holding_no_work_item_and_no_slot(services):
    deployment = await set_up(services)

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.WAITING
    assert [r.state for r in runs][:3] == [StepState.SUCCEEDED, StepState.WAITING, StepState.PENDING]
    interruption = await interruption_of(services, deployment)
    assert interruption.state is InterruptionState.PENDING
    assert interruption.instructions == "Check **Test** for release 0.0.1"
    async with services.store.transaction() as uow:
        assert await uow.queue.pending(RUN_TASK) == []
        slots = (await uow.conn.execute(sa.select(deployment_slots))).all()
    assert slots == []
    async with services.store.reading() as uow:
        assert await waiting_for(uow, task.id) == [f"Interruptions-{interruption.id}"]


async def test_any_number_of_deployments_can_wait_at_once(services):
    await apply_yaml(services, space())
    deployments = [await deploy_as(services) for _ in range(3)]

    await run_all(services)

    for deployment in deployments:
        assert (await task_of(services, deployment))[0].state is TaskState.WAITING
    async with services.store.transaction() as uow:
        assert len(await uow.interruptions.list(state="pending")) == 3


async def test_blocking_other_deployments_keeps_the_slot_while_waiting(services):
    steps = """\
      - name: Sign Off
        type: manual-intervention
        responsible_teams: [Project Stakeholders]
        block_deployments: true
"""
    await apply_yaml(services, space(steps))
    first = await deploy_as(services)
    await run_all(services)
    second = await deploy_as(services)

    await run_all(services)

    assert (await task_of(services, first))[0].state is TaskState.WAITING
    assert (await task_of(services, second))[0].state is TaskState.QUEUED
    await decide(services, await interruption_of(services, first), "alice")
    await run_all(services)
    assert (await task_of(services, first))[0].state is TaskState.SUCCESS
    assert (await task_of(services, second))[0].state is TaskState.WAITING


async def test_an_approved_deployment_waits_for_the_one_that_took_its_slot_meanwhile(services):
    await apply_yaml(services, space())
    first = await deploy_as(services)
    await run_all(services)  # waits at the sign-off and gives up its slot
    second = await deploy_as(services)
    assert first.task_id is not None and second.task_id is not None
    async with services.store.transaction() as uow:
        # The second deployment is under way: it holds the slot, and its work item is not due right now.
        assert await uow.tasks.take_slot(second.task_id, first.project_id, await environment_id(uow, "Test"))
        await uow.conn.execute(work_items.delete().where(work_items.c.key == run_task_key(second.task_id)))
    await decide(services, await interruption_of(services, first), "alice", "proceed", "ok")

    await run_all(services)

    task, runs = await task_of(services, first)
    assert task.state is TaskState.WAITING  # approved, but not alongside the deployment in progress
    assert runs[2].state is StepState.PENDING
    assert "Approved; continuing once the deployment in progress to Test has finished" in await log_of(services, first)
    async with services.store.transaction() as uow:
        item = {"task_id": second.task_id}
        await uow.queue.enqueue(RUN_TASK, run_task_key(second.task_id), item, services.clock.now())
    await run_all(services)  # the second runs to its own sign-off and frees the slot: the first goes on
    assert (await task_of(services, first))[0].state is TaskState.SUCCESS
    assert (await task_of(services, second))[0].state is TaskState.WAITING


async def environment_id(uow, name: str) -> int:
    environment = await uow.environments.get_by_name(name)
    assert environment.id is not None
    return environment.id


async def test_approving_resumes_the_deployment_and_later_steps_read_the_outcome(services):
    deployment = await set_up(services)

    decided = await decide(services, await interruption_of(services, deployment), "alice", notes="looks good")
    await run_all(services)

    assert decided.state is InterruptionState.RESOLVED
    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS
    assert [r.state for r in runs] == [
        StepState.SUCCEEDED,
        StepState.SUCCEEDED,
        StepState.SUCCEEDED,
        StepState.SKIPPED,
        StepState.SUCCEEDED,
    ]
    log = await log_of(services, deployment)
    assert "approved=True by=Alice Approver email=alice@example.org notes=looks good" in log
    assert "always: Approved True" in log
    assert "Approved by Alice Approver: looks good" in log


async def test_rejecting_fails_the_step_skips_success_steps_and_runs_failure_and_always_steps(services):
    deployment = await set_up(services)

    await decide(services, await interruption_of(services, deployment), "bob", "abort", "the build is broken")
    await run_all(services)

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.FAILED
    assert task.error == "Rejected by Bob Builder: the build is broken"
    assert [r.state for r in runs] == [
        StepState.SUCCEEDED,
        StepState.FAILED,
        StepState.SKIPPED,
        StepState.SUCCEEDED,
        StepState.SUCCEEDED,
    ]
    assert runs[1].error == "Rejected by Bob Builder: the build is broken"
    log = await log_of(services, deployment)
    assert "approved=" not in log
    assert "failure: Rejected by Bob Builder: the build is broken" in log
    assert "always: Rejected False" in log


async def test_only_a_responsible_user_may_decide(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)

    with pytest.raises(NotResponsible) as refused:
        await decide(services, interruption, "carol")

    assert "Project Stakeholders" in str(refused.value)
    assert (await interruption_of(services, deployment)).state is InterruptionState.PENDING


async def test_without_responsible_teams_any_active_user_may_decide(services):
    steps = "      - {name: Gate, type: manual-intervention, email_links: true}\n"
    deployment = await set_up(services, steps)

    await decide(services, await interruption_of(services, deployment), "carol")
    await run_all(services)

    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    async with services.store.transaction() as uow:
        approval_emails = [e for e in await uow.emails.list() if e.dedupe_key.startswith("approval:")]
    # every active user with an email address but the deployer, who may not approve their own deployment
    assert len(approval_emails) == 4
    assert "dave@example.org" not in {address for email in approval_emails for address in email.to}


async def test_a_responsible_deployer_may_not_decide_their_own_deployment_nor_gets_links(services):
    await apply_yaml(services, space())
    deployment = await deploy_as(services, "alice")
    await run_all(services)
    interruption = await interruption_of(services, deployment)

    with pytest.raises(SelfApprovalRefused):
        await decide(services, interruption, "alice", "proceed", "looks fine to me")
    with pytest.raises(SelfApprovalRefused):
        await decide(services, interruption, "alice", "abort", "changed my mind")

    assert (await interruption_of(services, deployment)).state is InterruptionState.PENDING
    async with services.store.transaction() as uow:
        emailed = {e.to[0] for e in await uow.emails.list() if e.dedupe_key.startswith("approval:")}
    assert emailed == {"bob@example.org", "erin@example.org"}
    await decide(services, interruption, "bob", "proceed", "ship it")
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_a_step_that_allows_self_approval_lets_the_deployer_decide(services):
    steps = SIGN_OFF.replace("email_links: true", "email_links: true\n        allow_self_approval: true")
    await apply_yaml(services, space(steps))
    deployment = await deploy_as(services, "alice")
    await run_all(services)
    async with services.store.transaction() as uow:
        emailed = {e.to[0] for e in await uow.emails.list() if e.dedupe_key.startswith("approval:")}
    assert "alice@example.org" in emailed

    await decide(services, await interruption_of(services, deployment), "alice", "proceed", "solo team")
    await run_all(services)

    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_a_gate_only_the_deployer_could_decide_says_so_in_the_log(services):
    steps = SIGN_OFF.replace("[Project Stakeholders]", "[Solo]")
    await apply_yaml(services, space(steps).replace("teams:\n", "teams:\n  - {name: Solo, members: [dave]}\n", 1))
    deployment = await deploy_as(services, "dave")
    await run_all(services)

    log = await log_of(services, deployment)
    assert "Nobody can decide this yet: no active user other than the deployer is responsible" in log
    assert (await task_of(services, deployment))[0].state is TaskState.WAITING


async def test_two_approvers_racing_exactly_one_wins(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)

    outcomes = await asyncio.gather(
        decide(services, interruption, "alice", "proceed", "ship it"),
        decide(services, interruption, "bob", "abort", "stop"),
        decide(services, interruption, "erin", "proceed", "fine"),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(loser, InterruptionAlreadyDecided) for loser in losers), losers
    winner = await user_named(services, ["alice", "bob", "erin"][outcomes.index(winners[0])])
    assert all(f"by {winner.display_name} at " in str(loser) for loser in losers)
    async with services.store.transaction() as uow:
        events = await uow.audit.list(action="interruption.submitted")
        decisions = [e for e in await uow.emails.list() if e.dedupe_key.startswith("decision:")]
    assert len(events) == 1 and events[0].actor == winner.username
    assert len(decisions) == 1
    async with services.store.transaction() as uow:
        receipts = [e for e in await uow.emails.list() if e.dedupe_key.startswith("decision-receipt:")]
    assert [r.to for r in receipts] == [(winner.email,)]


async def test_the_decider_gets_a_receipt_unless_they_have_no_address_or_are_the_deployer(services):
    steps = SIGN_OFF.replace("email_links: true", "email_links: true\n        allow_self_approval: true")
    await apply_yaml(services, space(steps))
    by_dave = await deploy_as(services, "dave")
    by_alice = await deploy_as(services, "alice", environment="Dev")
    await run_all(services)

    await decide(services, await interruption_of(services, by_dave), "nomail", "proceed", "ok")
    await decide(services, await interruption_of(services, by_alice), "alice", "proceed", "mine")
    async with services.store.transaction() as uow:
        receipts = [e for e in await uow.emails.list() if e.dedupe_key.startswith("decision-receipt:")]
    assert receipts == []  # nomail has no address; Alice is told as the deployer instead

    another = await deploy_as(services, "dave", environment="Dev")
    await run_all(services)
    await decide(services, await interruption_of(services, another), "erin", "abort", "not today", ip="198.51.100.4")
    async with services.store.transaction() as uow:
        [receipt] = [e for e in await uow.emails.list() if e.dedupe_key.startswith("decision-receipt:")]
    assert receipt.to == ("erin@example.org",)
    assert receipt.subject.startswith("You rejected Quotes ") and receipt.subject.endswith(" to Dev")
    assert "through the API from 198.51.100.4" in receipt.text


async def test_a_decision_after_cancel_is_refused_and_cancel_ends_the_interruption(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    assert deployment.task_id is not None
    async with services.store.transaction() as uow:
        await request_cancel(uow, deployment.task_id, now=services.clock.now())

    with pytest.raises(DeploymentCanceled):
        await decide(services, interruption, "alice")
    await run_all(services)

    assert (await task_of(services, deployment))[0].state is TaskState.CANCELED
    canceled = await interruption_of(services, deployment)
    assert canceled.state is InterruptionState.CANCELED
    with pytest.raises(Exception, match="canceled"):
        await decide(services, canceled, "alice")
    async with services.store.transaction() as uow:
        assert canceled.id is not None
        links = await uow.approval_links.list_for_interruption(canceled.id)
        result = await uow.emails.find_by_key(f"deployment-result:{deployment.task_id}")
        events = await uow.audit.list(action="interruption.canceled")
    assert links and all(link.revoked_at is not None for link in links)
    assert result is not None and result.to == ("dave@example.org",)
    assert result.subject.startswith("Deployment canceled")
    assert len(events) == 1


async def test_the_deployer_is_emailed_the_decision_and_the_result(services):
    deployment = await set_up(services)

    await decide(services, await interruption_of(services, deployment), "bob", "abort", "not today")
    await run_all(services)

    interruption = await interruption_of(services, deployment)
    async with services.store.transaction() as uow:
        decision = await uow.emails.find_by_key(f"decision:{interruption.id}")
        result = await uow.emails.find_by_key(f"deployment-result:{deployment.task_id}")
    assert decision is not None and result is not None
    assert decision.to == ("dave@example.org",)
    assert decision.subject.startswith("Rejected by Bob Builder: not today")
    assert "Rejected by Bob Builder: not today" in decision.text
    assert result.subject.startswith("Deployment failed")


async def test_a_re_run_after_a_crash_finds_the_interruption_and_sends_nothing_twice(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    assert deployment.task_id is not None
    # The node died after the step committed its interruption: the task is run again from its last commit.
    async with services.store.transaction() as uow:
        await uow.queue.enqueue(
            RUN_TASK, f"run-task:{deployment.task_id}", {"task_id": deployment.task_id}, services.clock.now()
        )
    await run_all(services)

    async with services.store.transaction() as uow:
        assert [i.id for i in await uow.interruptions.list(state="all")] == [interruption.id]
        assert interruption.id is not None
        assert len(await uow.approval_links.list_for_interruption(interruption.id)) == 6  # 3 people × 2
        assert len(await uow.emails.list()) == 3
    assert (await task_of(services, deployment))[0].state is TaskState.WAITING


async def _dump_database(services) -> str:
    async with services.store.transaction() as uow:
        rows = []
        for table in metadata.sorted_tables:
            rows.extend(dict(r._mapping) for r in await uow.conn.execute(sa.select(table)))
    return json.dumps(rows, default=str)


async def test_approval_emails_carry_personal_links_stored_only_as_hashes(db_url, tmp_path, smtp_server):
    async with services_with(db_url, tmp_path / "data", smtp_host=smtp_server.host, smtp_port=smtp_server.port) as svc:
        deployment = await set_up(svc)
        await run_all(svc)
        messages = await smtp_server.wait_for(3)

        by_person = {str(m["To"]): links_in(text_of(m)) for m in messages}
        assert set(by_person) == {"alice@example.org", "bob@example.org", "erin@example.org"}
        tokens = [token_of(url) for links in by_person.values() for url in links.values()]
        assert len(set(tokens)) == 6
        assert all(
            url.startswith("http://seaway.test/links/") for links in by_person.values() for url in links.values()
        )
        dump = await _dump_database(svc)
        assert not any(token in dump for token in tokens)
        async with svc.store.transaction() as uow:
            found = [await uow.approval_links.find_by_hash(hash_token(token)) for token in tokens]
        assert all(link is not None for link in found)
        alice = await user_named(svc, "alice")
        alice_approve = hash_token(token_of(by_person["alice@example.org"]["Approve"]))
        interruption = await interruption_of(svc, deployment)
        assert "Check **Test** for release 0.0.1" in text_of(messages[0])

        decided = await decide(
            svc,
            interruption,
            "alice",
            "proceed",
            "ship it",
            channel="email-link",
            link_token_hash=alice_approve,
            ip="192.0.2.7",
            user_agent="Mail/1.0",
        )
        await run_all(svc)

        assert decided.channel == "email-link"
        assert (await task_of(svc, deployment))[0].state is TaskState.SUCCESS
        async with svc.store.transaction() as uow:
            links = await uow.approval_links.list_for_interruption(decided.id or 0)
            [event] = await uow.audit.list(action="interruption.submitted")
        used = [link for link in links if link.used_at is not None]
        assert [(link.user_id, link.token_hash) for link in used] == [(alice.id, alice_approve)]
        assert all(link.revoked_at is not None for link in links if link.used_at is None)
        assert event.details["link_token_fingerprint"] == token_fingerprint(alice_approve)
        assert event.details["content_hash"] == interruption.content_hash
        assert (event.channel, event.ip, event.user_agent) == ("email-link", "192.0.2.7", "Mail/1.0")
        # Dave gets the decision and then the result, Alice her receipt; the worker may deliver them in any order.
        after = await smtp_server.wait_for(6)
        to_dave = [m for m in after if str(m["To"]) == "dave@example.org"]
        [decision_mail] = [m for m in to_dave if str(m["Subject"]).startswith("Approved by Alice Approver")]
        assert "Approved by Alice Approver: ship it" in text_of(decision_mail)
        [receipt] = [m for m in after if str(m["To"]) == "alice@example.org" and m["Subject"].startswith("You ")]
        assert receipt["Subject"] == "You approved Quotes 0.0.1 to Test"
        assert "through an emailed approval link from 192.0.2.7" in text_of(receipt)
        assert receipt.get_body(preferencelist=("html",)) is not None


async def test_a_link_decides_only_its_own_user_decision_and_only_once(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    bob, alice = await user_named(services, "bob"), await user_named(services, "alice")
    async with services.store.transaction() as uow:
        links = await uow.approval_links.list_for_interruption(interruption.id or 0)
    bob_approve = next(link for link in links if link.user_id == bob.id and link.decision.value == "proceed")
    alice_reject = next(link for link in links if link.user_id == alice.id and link.decision.value == "abort")

    with pytest.raises(LinkNotUsable):  # Bob's link in Alice's hands
        await decide(services, interruption, "alice", channel="email-link", link_token_hash=bob_approve.token_hash)
    with pytest.raises(LinkNotUsable):  # a reject link cannot approve
        await decide(services, interruption, "alice", channel="email-link", link_token_hash=alice_reject.token_hash)
    await decide(services, interruption, "bob", channel="email-link", link_token_hash=bob_approve.token_hash)
    with pytest.raises(InterruptionAlreadyDecided, match="by Bob Builder at"):
        await decide(services, interruption, "bob", channel="email-link", link_token_hash=bob_approve.token_hash)

    async with services.store.transaction() as uow:
        assert await link_status_of(uow, alice_reject, services.clock.now()) is LinkStatus.REVOKED


async def test_an_expired_link_cannot_decide(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, approval_link_hours=72) as svc:
        deployment = await set_up(svc)
        interruption = await interruption_of(svc, deployment)
        alice = await user_named(svc, "alice")
        async with svc.store.transaction() as uow:
            links = await uow.approval_links.list_for_interruption(interruption.id or 0)
        approve = next(link for link in links if link.user_id == alice.id and link.decision.value == "proceed")
        assert approve.expires_at - approve.created_at == timedelta(hours=72)

        clock.advance(hours=72)

        with pytest.raises(LinkNotUsable) as refused:
            await decide(svc, interruption, "alice", channel="email-link", link_token_hash=approve.token_hash)
        assert refused.value.status is LinkStatus.EXPIRED
        async with svc.store.transaction() as uow:
            assert await uow.approval_links.consume(approve.token_hash, clock.now()) is None
        await decide(svc, interruption, "alice")  # the API still works after the link expired


async def test_a_decision_is_void_when_the_release_content_changed(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    async with services.store.transaction() as uow:
        await uow.conn.execute(releases.update().where(releases.c.id == interruption.release_id).values(process=[]))
        links = await uow.approval_links.list_for_interruption(interruption.id or 0)
        assert await link_status_of(uow, links[0], services.clock.now()) is LinkStatus.SUPERSEDED

    with pytest.raises(ContentChanged):
        await decide(services, interruption, "alice")
