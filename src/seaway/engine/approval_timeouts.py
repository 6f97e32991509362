"""A pending change request's timeouts and reminders, run by the due work items enqueued with it
(`engine/approval_timeout_items.py`).

Each runs on the request's locked row (`lock_pending`, as a decision does), so a timeout and a decision
arriving together are one after the other, and a request decided, rejected or canceled by then is left
alone: the item just ends.

- A timeout that rejects ends the request as a rejection does: the task fails before any step runs, the
  links stop working, the approvers and the deployer are told why.
- A timeout that escalates makes its teams approvers too (the quorum stays the recorded one) and emails the
  people who were not approvers before their own links.
- A reminder emails each approver who has not decided, with new links when theirs ran out, and enqueues
  the next one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from seaway.domain.approval_timeouts import PolicyTimeout, TimeoutAction, find_timeout, timed_out_reason
from seaway.domain.change_requests import ChangeRequest, ChangeRequestState, change_link_status, format_number
from seaway.domain.interruptions import LinkStatus, Result
from seaway.domain.machine_policies import format_interval
from seaway.domain.users import User
from seaway.engine.approval_timeout_items import CHANGE_REQUEST_TIMEOUT, schedule_reminder
from seaway.engine.change_request_links import (
    CHANGE_REQUEST_LINKS,
    approvers_to_email,
    deployment_url,
    issue_links,
    notices_key,
    record_by_seaway,
    send_links,
)
from seaway.engine.change_requests import notify_deployer, progress_of
from seaway.engine.clock import Clock
from seaway.engine.mail import queue_email
from seaway.engine.orchestrator import RUN_TASK, FinishItem, Lease, run_task_key
from seaway.errors import NotFound
from seaway.notify.addressing import Person, about_change_request
from seaway.notify.messages import ApprovalReminder, approval_reminder_email
from seaway.steps.manual_intervention import LinkSettings
from seaway.store.queue import WorkItem
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import Store, UnitOfWork

# Who the deployer is told decided a request that timed out.
SEAWAY = User("seaway", "Seaway")


class ApprovalTimeouts:
    """The handler of the `change-request-timeout` and `change-request-reminder` work items."""

    def __init__(self, store: Store, clock: Clock, links: LinkSettings) -> None:
        self.store = store
        self.clock = clock
        self.links = links

    async def __call__(self, item: WorkItem, lease: Lease, finish: FinishItem) -> bool:
        number = int(item.payload["change_request"])
        async with self.store.transaction() as uow:
            await lease.hold(uow)  # a node that lost the item meanwhile must not remind or escalate twice
            now = self.clock.now()
            request = await _pending(uow, number)
            if request is None:
                await finish(uow)
                return True
            if item.kind == CHANGE_REQUEST_TIMEOUT:
                timeout = find_timeout(request.policy.timeouts, str(item.payload["policy"]))
                if timeout is not None:  # else a policy edit since took this timeout away
                    await time_out(uow, request, timeout, self.links, now)
                await finish(uow)
            else:
                await remind(uow, request, self.links, now)
                await finish(uow)
                await schedule_reminder(uow, request, now)  # after `finish`, which ends this item's own row
        return True


async def _pending(uow: UnitOfWork, number: int) -> ChangeRequest | None:
    """The request, its row locked, while it is pending; None once it is not (or is gone with its deployment)."""
    try:
        if not await uow.change_requests.lock_pending(number):
            return None
        return await uow.change_requests.get(number)
    except NotFound:
        return None


async def _log(uow: UnitOfWork, request: ChangeRequest, now: datetime, message: str, level: str = "info") -> None:
    await uow.tasks.append_log(request.task_id, [LogLine(now, level, message)])


async def time_out(
    uow: UnitOfWork, request: ChangeRequest, timeout: PolicyTimeout, links: LinkSettings, now: datetime
) -> None:
    if timeout.timeout.action is TimeoutAction.REJECT:
        await _reject(uow, request, timeout, links, now)
    else:
        await _escalate(uow, request, timeout, links, now)


async def _reject(
    uow: UnitOfWork, request: ChangeRequest, timeout: PolicyTimeout, links: LinkSettings, now: datetime
) -> None:
    assert request.id is not None
    reason = timed_out_reason(format_number(request.id), timeout)
    await uow.change_requests.end(request.id, ChangeRequestState.REJECTED, now, reason)
    await uow.change_request_links.revoke(request.id, now)
    await _log(uow, request, now, reason, "error")
    await uow.queue.enqueue(RUN_TASK, run_task_key(request.task_id), {"task_id": request.task_id}, now)
    payload = {"change_request": request.id, "ended": True}
    await uow.queue.enqueue(CHANGE_REQUEST_LINKS, notices_key(request.id), payload, now)
    url = deployment_url(links.public_url, request)
    outcome = "timed out: the deployment will not start"
    await notify_deployer(uow, request, SEAWAY, Result.ABORT, reason, now, url, outcome)
    details = {"action": timeout.timeout.action.value, "after": format_interval(timeout.timeout.after)}
    await record_by_seaway(uow, now, "timed_out", request, details | {"policy": timeout.policy, "reason": reason})


async def _escalate(
    uow: UnitOfWork, request: ChangeRequest, timeout: PolicyTimeout, links: LinkSettings, now: datetime
) -> None:
    assert request.id is not None
    teams = await uow.teams.list()
    before = await progress_of(uow, request, teams)
    await uow.change_requests.escalate(request.id, timeout.timeout.escalate_to)
    escalated = await uow.change_requests.get(request.id)
    after = await progress_of(uow, escalated, teams)
    added = sorted(after.eligible - before.eligible)
    emailed = await send_links(uow, escalated, links, now, only=added) if added else []
    after_text = format_interval(timeout.timeout.after)
    to = ", ".join(timeout.timeout.escalate_to)
    names = ", ".join(u.label for u in emailed) or "nobody"
    message = (
        f"{format_number(request.id)} was not decided within {after_text} under {timeout.policy}: escalated to "
        f"{to} (new approvers: {', '.join(added) or 'none'}; emailed: {names}); still {after.blocked}"
    )
    await _log(uow, request, now, message, "warning")
    details = {
        "action": timeout.timeout.action.value,
        "after": after_text,
        "policy": timeout.policy,
        "teams": list(timeout.timeout.escalate_to),
        "added_approvers": added,
    }
    await record_by_seaway(uow, now, "timed_out", request, details)
    await record_by_seaway(uow, now, "escalated", request, details)


async def remind(uow: UnitOfWork, request: ChangeRequest, links: LinkSettings, now: datetime) -> list[User]:
    """Email every approver who has not decided yet a reminder; returns who was reminded."""
    assert request.id is not None
    progress = await progress_of(uow, request)
    decided = {d.user_id for d in progress.decisions}
    recipients = [u for u in await approvers_to_email(uow, request) if u.id not in decided]
    existing = await uow.change_request_links.list_for(request.id)
    about = about_change_request(request, deployment_url(links.public_url, request))
    for user in recipients:
        assert user.id is not None and user.email is not None
        usable = [
            link for link in existing if link.user_id == user.id and change_link_status(link, now) is LinkStatus.USABLE
        ]
        reminder = ApprovalReminder(
            about=about,
            recipient=Person.of(user),
            step=f"Change request {format_number(request.id)}",
            waiting_since=request.created_at,
            still_needed=progress.tally.still_needed,
            expires_at=min((link.expires_at for link in usable), default=now),
        )
        if {link.decision for link in usable} != {Result.PROCEED, Result.ABORT}:
            await uow.change_request_links.revoke(request.id, now, user_id=user.id)
            fresh = await issue_links(uow, request, user, links, now)
            reminder = replace(
                reminder, approve_url=fresh.approve_url, reject_url=fresh.reject_url, expires_at=fresh.expires_at
            )
        key = f"change-request-reminder:{request.id}:{user.id}:{now.isoformat()}"
        await queue_email(uow, approval_reminder_email(reminder), key, now=now)
    if recipients:
        names = ", ".join(u.label for u in recipients)
        await _log(uow, request, now, f"Reminded {names} that {format_number(request.id)} waits for them")
        await record_by_seaway(uow, now, "reminded", request, {"users": [u.username for u in recipients]})
    return recipients
