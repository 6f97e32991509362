"""The due work items that time out and remind a pending change request, enqueued when it is made.

`change-request-timeout:<n>:<policy>` falls due when that policy's timeout ends, counted from when the
request was made; `change-request-reminder:<n>` when the next reminder is due. Nothing polls: a request
nobody decides costs these rows until they fall due (`engine/approval_timeouts.py` handles them).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from seaway.domain.approval_timeouts import PolicyTimeout
from seaway.domain.change_requests import ChangeRequest
from seaway.store.unit_of_work import UnitOfWork

CHANGE_REQUEST_TIMEOUT = "change-request-timeout"
CHANGE_REQUEST_REMINDER = "change-request-reminder"
_MAX_KEY = 200  # work_items.key


def timeout_key(number: int, policy: str) -> str:
    key = f"{CHANGE_REQUEST_TIMEOUT}:{number}:{policy.lower()}"
    if len(key) <= _MAX_KEY:
        return key
    # A long policy name: its digest keeps two such policies' timeouts apart.
    return f"{CHANGE_REQUEST_TIMEOUT}:{number}:{hashlib.sha256(policy.lower().encode()).hexdigest()}"


def reminder_key(number: int) -> str:
    return f"{CHANGE_REQUEST_REMINDER}:{number}"


async def schedule_timeout(uow: UnitOfWork, request: ChangeRequest, timeout: PolicyTimeout) -> None:
    assert request.id is not None
    payload = {"change_request": request.id, "policy": timeout.policy}
    due = request.created_at + timeout.timeout.after
    await uow.queue.enqueue(CHANGE_REQUEST_TIMEOUT, timeout_key(request.id, timeout.policy), payload, due)


async def schedule_reminder(uow: UnitOfWork, request: ChangeRequest, after: datetime) -> None:
    """The next reminder, an interval after `after`; none when no policy of the request reminds."""
    assert request.id is not None
    every = request.policy.remind_every
    if every is None:
        return
    payload = {"change_request": request.id}
    await uow.queue.enqueue(CHANGE_REQUEST_REMINDER, reminder_key(request.id), payload, after + every)


async def schedule_timeouts(uow: UnitOfWork, request: ChangeRequest, reminders_from: datetime) -> None:
    """Every timeout of the request's policy, each from when the request was made (a policy edit that voids
    the approvals does not move them), and its next reminder an interval after `reminders_from`."""
    for timeout in request.policy.timeouts:
        await schedule_timeout(uow, request, timeout)
    await schedule_reminder(uow, request, reminders_from)
