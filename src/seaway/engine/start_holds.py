"""What keeps a queued deployment from starting: its change request (pending, rejected, or approved for
content that has changed since), a freeze in force, or change windows that are closed.

Checked once, at the moment the task would start; a deployment that started inside its window finishes.
A held task stays a row: the reason is logged once, shown on the deployment, and a `start-hold` work item
due when the freeze ends or the window opens wakes it (no polling). One due at the window's close makes a
deployment the slot still holds back then be refused on time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from seaway.domain.change_requests import ChangeRequest, ChangeRequestState, format_number
from seaway.domain.ids import format_id
from seaway.engine.audit_trail import event_of
from seaway.engine.change_windows import closed_reason, label, never_reason, waiting_message, window_state
from seaway.engine.freezes import freeze_holding, frozen_message
from seaway.engine.task_runs import TaskRun
from seaway.store.freezes import StartHold
from seaway.store.scopes import Where
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import UnitOfWork

START_HOLD = "start-hold"

# Asked before a gated deployment starts, with its change request: True holds it back (and it will be enqueued again).
StartGate = Callable[[UnitOfWork, ChangeRequest, datetime], Awaitable[bool]]


def start_hold_key(task_id: int) -> str:
    return f"{START_HOLD}:{task_id}"


@dataclass(frozen=True)
class Held:
    """The task may not start now: it waits (`refusal` None) or is refused with `refusal` as its error."""

    refusal: str | None = None


async def before_start(uow: UnitOfWork, run: TaskRun, now: datetime, gates: Sequence[StartGate]) -> Held | None:
    """Why the queued task of `run` may not start now, or None when nothing holds it. A rejected request
    refuses it; a pending one keeps it queued (the approving decision enqueues it again), as does a start
    gate that holds it back."""
    gate = await uow.change_requests.find_for_task(run.task.id)
    if gate is not None and gate.state is ChangeRequestState.REJECTED:
        return Held(refusal=gate.reason)
    if gate is not None and (gate.is_pending or any([await hold(uow, gate, now) for hold in gates])):
        return Held()
    return await hold_before_start(uow, run, now, gate)


async def hold_before_start(uow: UnitOfWork, run: TaskRun, now: datetime, gate: ChangeRequest | None) -> Held | None:
    """Whether a freeze or the windows of its (approved) change request `gate` hold the task of `run` back."""
    task_id, deployment = run.task.id, run.deployment
    held = await uow.freezes.hold_of(task_id)
    freeze = await freeze_holding(uow, deployment.id, run.project.name, run.environment.name, now)
    if freeze is not None:
        message = frozen_message(freeze)
        if held.message != message:
            await _log(uow, task_id, now, f"The deployment is {message}")
            details = {"freeze": freeze.name, "until": freeze.end.isoformat()}
            await _audit(uow, now, "deployment.frozen", format_id("deployment", deployment.id), details, run)
        await _wait(uow, held, message, freeze.end)
        return Held()
    windows = gate.policy.windows if gate is not None else ()
    if gate is None or not windows:
        await _clear(uow, held)
        return None
    state = window_state(windows, now)
    if held.window_closes_at is not None and held.window_closes_at <= now and not state.open:
        assert state.closed is not None
        reason = closed_reason(state.closed, held.window_closes_at)
        return await _refuse(uow, run, gate, label(state.closed), reason, now)
    if state.open:
        if held.window_closes_at != state.closes_at and state.closes_at is not None:
            await uow.queue.enqueue(START_HOLD, start_hold_key(task_id), {"task_id": task_id}, state.closes_at)
        if (held.message, held.window_closes_at) != ("", state.closes_at):
            await uow.freezes.save_hold(replace(held, message="", until=None, window_closes_at=state.closes_at))
        return None
    assert state.closed is not None
    if state.opens_at is None:
        return await _refuse(uow, run, gate, label(state.closed), never_reason(state.closed), now)
    message = waiting_message(state)
    if held.message != message:
        await _log(uow, task_id, now, f"The deployment is {message}")
        details = {"window": label(state.closed), "opens_at": state.opens_at.isoformat()}
        await _audit(uow, now, "change_request.window_wait", format_number(gate.id), details, run)
    await _wait(uow, held, message, state.opens_at)
    return Held()


async def _wait(uow: UnitOfWork, held: StartHold, message: str, until: datetime) -> None:
    if (held.message, held.until) != (message, until):
        await uow.freezes.save_hold(replace(held, message=message, until=until))
    await uow.queue.enqueue(START_HOLD, start_hold_key(held.task_id), {"task_id": held.task_id}, until)


async def _clear(uow: UnitOfWork, held: StartHold) -> None:
    if held.message:
        await uow.freezes.save_hold(replace(held, message="", until=None))


async def _refuse(uow: UnitOfWork, run: TaskRun, gate: ChangeRequest, window: str, reason: str, now: datetime) -> Held:
    await uow.freezes.save_hold(StartHold(gate.task_id))
    details = {"window": window, "reason": reason}
    await _audit(uow, now, "change_request.window_closed", format_number(gate.id), details, run)
    return Held(refusal=reason)


async def _audit(
    uow: UnitOfWork, now: datetime, action: str, entity_id: str, details: Mapping[str, object], run: TaskRun
) -> None:
    """What Seaway itself did, as the change request's (`change_request.*`) or the deployment's event."""
    where = Where(project=run.project.name, environment=run.environment.name)
    await uow.audit.record(event_of(None, now, action, entity_id, details, where))


async def _log(uow: UnitOfWork, task_id: int, now: datetime, message: str) -> None:
    await uow.tasks.append_log(task_id, [LogLine(now, "info", message)])
