"""Timeouts, escalation and reminders of change requests on both databases, driven by due work items and a
FakeClock: nothing is due before it must be, and nothing fires for a request that is no longer pending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.engine.test_change_requests import _decide, space
from tests.engine.test_change_requests import _gated as gated
from tests.fixtures.approvals import links_in, run_all, services_with
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, log_of, task_of

from seaway.domain.change_requests import ChangeRequestState
from seaway.domain.interruptions import Result
from seaway.domain.states import TaskState
from seaway.errors import SelfApprovalRefused

# Escalating to it adds only carol: alice approves already, and dave deploys.
RELEASE_MANAGERS = "  - {name: Release Managers, members: [alice, carol, dave]}\n"
POLICY = """
  - name: Production change control
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
"""
REJECT = "    timeout: {after: 8h, action: reject}\n"
ESCALATE = "    timeout: {after: 24h, action: escalate, escalate_to: [Release Managers]}\n"
REMIND = "    reminders: {every: 4h}\n"


@pytest.fixture
async def timed(db_url, tmp_path):
    async with services_with(db_url, tmp_path / "data", clock=FakeClock()) as services:
        yield services


async def _gated(services, keys: str, deployer: str = "dave"):
    return await gated(services, POLICY + keys, RELEASE_MANAGERS, deployer)


async def _later(services, **delta: float) -> None:
    services.clock.advance(**delta)
    await run_all(services)


async def _next_due(services):
    async with services.store.transaction() as uow:
        return await uow.queue.next_run_after()


async def _emails(services, subject: str):
    async with services.store.transaction() as uow:
        return [e for e in await uow.emails.list() if e.subject.startswith(subject)]


async def _audit(services, request, action: str):
    async with services.store.transaction() as uow:
        return await uow.audit.list(entity_id=f"SEA-{request.id}", action=action)


async def test_a_reject_timeout_fails_the_task_revokes_the_links_and_tells_everyone(timed):
    start = timed.clock.now()
    deployment, request = await _gated(timed, REJECT)
    assert await _next_due(timed) == start + timedelta(hours=8)  # nothing due before the timeout
    async with timed.store.transaction() as uow:
        links = await uow.change_request_links.list_for(request.id)
    # The links expire with the gate, not after their usual 72 hours.
    assert links and {link.expires_at for link in links} == {start + timedelta(hours=8)}

    await _later(timed, hours=7, minutes=59)
    assert (await task_of(timed, deployment))[0].state is TaskState.QUEUED
    await _later(timed, minutes=1)

    reason = f"SEA-{request.id} timed out after 8h under Production change control"
    async with timed.store.transaction() as uow:
        ended = await uow.change_requests.get(request.id)
        links = await uow.change_request_links.list_for(request.id)
    assert ended.state is ChangeRequestState.REJECTED and ended.reason == reason
    assert all(link.revoked_at is not None for link in links)
    task, runs = await task_of(timed, deployment)
    assert task.state is TaskState.FAILED and task.error == reason and runs == []
    assert reason in await log_of(timed, deployment)
    told = {e.to[0] for e in await _emails(timed, "Rejected by Seaway")}
    # everyone who had links, and the deployer
    assert told == {"alice@example.org", "bob@example.org", "erin@example.org", "dave@example.org"}
    [deployer_told] = [e for e in await _emails(timed, "Rejected by Seaway") if e.to == ("dave@example.org",)]
    assert reason in deployer_told.text
    [event] = await _audit(timed, request, "change_request.timed_out")
    assert event.details["action"] == "reject" and event.details["after"] == "8h"
    assert await _next_due(timed) is None


async def test_voided_approvals_do_not_reset_the_timeout(timed):
    start = timed.clock.now()
    deployment, request = await _gated(timed, REJECT)
    await _later(timed, hours=6)
    await apply_yaml(timed, space(POLICY.replace("minimum: 2", "minimum: 3") + REJECT, RELEASE_MANAGERS))  # voids
    await run_all(timed)
    async with timed.store.transaction() as uow:
        again = await uow.change_requests.get(request.id)
        links = await uow.change_request_links.list_for(request.id)
    assert again.changes and again.is_pending
    assert await _next_due(timed) == start + timedelta(hours=8)
    assert {link.expires_at for link in links} == {start + timedelta(hours=8)}
    await _later(timed, hours=2)
    assert (await task_of(timed, deployment))[0].state is TaskState.FAILED


async def test_an_escalation_adds_approvers_who_are_emailed_and_count(timed):
    start = timed.clock.now()
    deployment, request = await _gated(timed, ESCALATE)
    assert await _next_due(timed) == start + timedelta(hours=24)
    await _later(timed, hours=1)
    await _decide(timed, request.id, "alice")  # in both teams: an approver already
    asked_before = {e.to[0] for e in await _emails(timed, "Approval needed")}

    await _later(timed, hours=23)
    async with timed.store.transaction() as uow:
        escalated = await uow.change_requests.get(request.id)
    assert escalated.is_pending and escalated.escalated_teams == ("Release Managers",)
    asked = [e for e in await _emails(timed, "Approval needed") if e.to[0] not in asked_before]
    assert [e.to for e in asked] == [("carol@example.org",)]  # not alice (asked already), not dave (the deployer)
    assert "Release Managers are asked too" in asked[0].text and links_in(asked[0].text).keys() == {"Approve", "Reject"}
    [event] = await _audit(timed, request, "change_request.escalated")
    assert event.details["teams"] == ["Release Managers"] and event.details["added_approvers"] == ["carol"]
    log = await log_of(timed, deployment)
    assert "escalated to Release Managers (new approvers: carol" in log and "needs 2 approvals (1 so far)" in log

    with pytest.raises(SelfApprovalRefused):
        await _decide(timed, request.id, "dave")  # the creator stays blocked
    approved = await _decide(timed, request.id, "carol")
    assert approved.request.state is ChangeRequestState.APPROVED and approved.tally.have == 2
    await run_all(timed)
    assert (await task_of(timed, deployment))[0].state is TaskState.SUCCESS


async def test_reminders_go_to_those_who_have_not_decided_and_stop_once_decided(timed):
    start = timed.clock.now()
    _, request = await _gated(timed, REMIND, deployer="alice")  # alice: an approver, blocked as the deployer
    assert await _next_due(timed) == start + timedelta(hours=4)
    await _later(timed, hours=1)
    await _decide(timed, request.id, "bob")
    await _later(timed, hours=3)

    [reminder] = await _emails(timed, "Reminder: approval needed")  # erin; nomail has no address
    assert reminder.to == ("erin@example.org",)
    assert "still work" in reminder.text and "Approve:" not in reminder.text  # her links are good for 72h
    assert "http://seaway.test/deployments/Deployments-" in reminder.text
    [event] = await _audit(timed, request, "change_request.reminded")
    assert event.details["users"] == ["erin"]
    assert await _next_due(timed) == start + timedelta(hours=8)

    await _decide(timed, request.id, "erin")
    await _later(timed, hours=4)
    assert len(await _emails(timed, "Reminder: approval needed")) == 1
    assert await _next_due(timed) is None


async def test_a_reminder_brings_fresh_links_when_the_old_ones_expired(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, approval_link_hours=2) as services:
        _, request = await _gated(services, REMIND, deployer="alice")
        await _later(services, hours=4)
        reminders = await _emails(services, "Reminder: approval needed")
        assert sorted(e.to[0] for e in reminders) == ["bob@example.org", "erin@example.org"]
        assert all(links_in(e.text).keys() == {"Approve", "Reject"} for e in reminders)
        async with services.store.transaction() as uow:
            links = await uow.change_request_links.list_for(request.id)
        fresh = [link for link in links if link.created_at == clock.now()]
        assert len(fresh) == 4 and {link.expires_at for link in fresh} == {clock.now() + timedelta(hours=2)}


async def test_nothing_fires_for_a_request_decided_in_time(timed):
    start = timed.clock.now()
    deployment, request = await _gated(timed, REJECT + REMIND)
    assert await _next_due(timed) == start + timedelta(hours=4)  # the first reminder comes before the timeout
    await _decide(timed, request.id, "alice")
    await _decide(timed, request.id, "bob")
    await _later(timed, hours=9)
    async with timed.store.transaction() as uow:
        assert (await uow.change_requests.get(request.id)).state is ChangeRequestState.APPROVED
    assert (await task_of(timed, deployment))[0].state is TaskState.SUCCESS
    assert await _emails(timed, "Reminder") == []
    assert await _audit(timed, request, "change_request.timed_out") == []
    assert await _next_due(timed) is None


async def test_a_rejected_request_does_not_escalate(timed):
    _, request = await _gated(timed, ESCALATE + REMIND)
    await _decide(timed, request.id, "alice", Result.ABORT, "not today")
    await _later(timed, hours=25)
    async with timed.store.transaction() as uow:
        ended = await uow.change_requests.get(request.id)
    assert ended.state is ChangeRequestState.REJECTED and ended.escalated_teams == ()
    assert await _audit(timed, request, "change_request.escalated") == []
    assert await _emails(timed, "Reminder") == []
