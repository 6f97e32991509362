"""Deciding interruptions: take, submit, and whether an approval link can still decide.

Every decision runs in the caller's transaction and does all of its effects there: the atomic state
change (one decision wins), voiding the links, the link's single use, the task's resume, the audit event
and the deployer's email. A rollback undoes all of them together.

Lock order matters on PostgreSQL: the interruption row is locked (by the conditional UPDATE) before any
link row, and voiding other links skips rows a concurrent decision holds, so two racing decisions queue
on the interruption instead of deadlocking on each other's links.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id
from seaway.domain.interruptions import (
    ApprovalLink,
    Interruption,
    LinkNotUsable,
    LinkStatus,
    Result,
    already_decided_message,
    check_may_decide,
    link_for_decision,
    link_status,
    may_decide,
    validate_decision,
)
from seaway.domain.states import TERMINAL_TASK_STATES
from seaway.domain.users import User
from seaway.engine.deployer_notices import notify_decision, send_receipt
from seaway.engine.orchestrator import RUN_TASK, run_task_key
from seaway.errors import Conflict, ContentChanged, DeploymentCanceled, InterruptionAlreadyDecided, InterruptionCanceled
from seaway.security.tokens import token_fingerprint
from seaway.store.audit import AuditEvent
from seaway.store.interruptions import StateFilter
from seaway.store.unit_of_work import UnitOfWork


def _public_id(interruption: Interruption) -> str:
    return format_id("interruption", interruption.id)


async def record_interruption_event(
    uow: UnitOfWork,
    actor: Actor,
    what: str,
    interruption: Interruption,
    details: Mapping[str, object],
    *,
    now: datetime,
) -> None:
    """Audit what a person did to an interruption, as the event `interruption.<what>`."""
    await uow.audit.record(
        AuditEvent.by(
            actor,
            at=now,
            action=f"interruption.{what}",
            entity="interruption",
            entity_id=_public_id(interruption),
            details=details,
        )
    )


async def refuse_unless_pending(uow: UnitOfWork, interruption: Interruption) -> None:
    if interruption.is_pending:
        return
    public_id = _public_id(interruption)
    if interruption.outcome is not None and interruption.decided_by is not None:
        decider = await uow.users.get(interruption.decided_by)
        raise InterruptionAlreadyDecided(
            f"{public_id} was {already_decided_message(interruption, decider)}", entity="interruption", id=public_id
        )
    raise InterruptionCanceled(
        f"{public_id} was canceled: {interruption.notes or 'the deployment was canceled'}",
        entity="interruption",
        id=public_id,
    )


async def refuse_unless_running(uow: UnitOfWork, interruption: Interruption) -> None:
    task = await uow.tasks.get(interruption.task_id)
    if task.cancel_requested or task.state in TERMINAL_TASK_STATES:
        raise DeploymentCanceled(
            f"{format_id('task', task.id)} was canceled or has ended; {_public_id(interruption)} can no longer be "
            "decided",
            entity="interruption",
            id=_public_id(interruption),
        )


async def refuse_if_content_changed(uow: UnitOfWork, interruption: Interruption) -> str:
    """The release content's hash now; raises ContentChanged when it is not what was asked about."""
    current_hash = await uow.interruptions.release_content_hash(interruption.release_id)
    if current_hash != interruption.content_hash:
        raise ContentChanged(
            f"the release changed since {_public_id(interruption)} was requested; its approval is void",
            entity="interruption",
            id=_public_id(interruption),
        )
    return current_hash


async def _check_responsible(uow: UnitOfWork, interruption: Interruption, user: User) -> None:
    check_may_decide(interruption, user, await uow.teams.list(), interruption.project_name)


async def take(uow: UnitOfWork, interruption_id: int, actor: Actor, *, now: datetime) -> Interruption:
    """Assign to me: the user shows they are dealing with it. Only a responsible user may take it."""
    user = actor.user
    interruption = await uow.interruptions.get(interruption_id)
    await refuse_unless_pending(uow, interruption)
    await _check_responsible(uow, interruption, user)
    assert user.id is not None
    taken = await uow.interruptions.take(interruption_id, user.id, now)
    if taken is None:
        await refuse_unless_pending(uow, await uow.interruptions.get(interruption_id))
        raise Conflict(f"{_public_id(interruption)} can no longer be taken")  # pragma: no cover - raised above
    await record_interruption_event(
        uow,
        actor,
        "taken",
        taken,
        {"task_id": format_id("task", taken.task_id), "previously_taken_by": interruption.taken_by},
        now=now,
    )
    return taken


async def submit_decision(
    uow: UnitOfWork,
    interruption_id: int,
    actor: Actor,
    *,
    result: str,
    notes: str,
    now: datetime,
    link_token_hash: str | None = None,
) -> Interruption:
    """Decide an interruption: proceed or abort, with notes (required to abort).

    The actor's `auth` is the evidence of who decided, for the audit event.

    Raises InvalidInput (result, notes), NotResponsible, InterruptionAlreadyDecided ("already decided by X
    at T"), InterruptionCanceled, DeploymentCanceled, ContentChanged, or LinkNotUsable when
    `link_token_hash` names a link that cannot make this decision. With a link, the link is consumed
    here, in this transaction; a caller that consumed it already (with the same `now`) is accepted.
    """
    user = actor.user
    chosen, text = validate_decision(result, notes)
    interruption = await uow.interruptions.get(interruption_id)
    await refuse_unless_pending(uow, interruption)
    await refuse_unless_running(uow, interruption)
    await _check_responsible(uow, interruption, user)
    current_hash = await refuse_if_content_changed(uow, interruption)
    link = None
    if link_token_hash is not None:
        link = await _check_link(uow, link_token_hash, interruption, user, chosen, current_hash, now)
    assert user.id is not None
    decided = await uow.interruptions.decide(
        interruption_id, user_id=user.id, result=chosen, notes=text, channel=actor.channel.value, now=now
    )
    if decided is None:  # another decision or a cancel committed first
        await refuse_unless_pending(uow, await uow.interruptions.get(interruption_id))
        raise Conflict(f"{_public_id(interruption)} is no longer pending")  # pragma: no cover - raised above
    if link is not None and link.used_at is None and await uow.approval_links.consume(link.token_hash, now) is None:
        raise LinkNotUsable("the link was used or revoked a moment ago", LinkStatus.USED)
    voided = await uow.approval_links.revoke_for_interruption(interruption_id, now)
    await uow.queue.enqueue(RUN_TASK, run_task_key(decided.task_id), {"task_id": decided.task_id}, now)
    details: dict[str, object] = {
        "result": chosen.value,
        "notes": text,
        "task_id": format_id("task", decided.task_id),
        "deployment_id": format_id("deployment", decided.deployment_id),
        "content_hash": decided.content_hash,
        "links_voided": voided,
        "auth_method": actor.auth.value,
    }
    if link is not None:
        details["link_token_fingerprint"] = token_fingerprint(link.token_hash)
        details["link_opened_at"] = link.opened_at.isoformat() if link.opened_at else None
        details["link_sent_at"] = link.created_at.isoformat()
    await record_interruption_event(uow, actor, "submitted", decided, details, now=now)
    await notify_decision(uow, decided, user, now)
    await send_receipt(uow, decided, actor, now)
    return decided


async def _check_link(
    uow: UnitOfWork,
    token_hash: str,
    interruption: Interruption,
    user: User,
    decision: Result,
    current_hash: str,
    now: datetime,
) -> ApprovalLink:
    link = link_for_decision(await uow.approval_links.find_by_hash(token_hash), interruption.id, user, decision)
    status = link_status(link, now, current_hash)
    consumed_by_caller = status is LinkStatus.USED and link.used_at == now and link.revoked_at is None
    if status is not LinkStatus.USABLE and not consumed_by_caller:
        raise LinkNotUsable(f"the link is {status.value}", status)
    return link


async def link_status_of(uow: UnitOfWork, link: ApprovalLink, now: datetime) -> LinkStatus:
    """What a link page shows: the link's own state, and void once its interruption or task is done, the
    release changed, or the approver was disabled."""
    interruption = await uow.interruptions.get(link.interruption_id)
    status = link_status(link, now, await uow.interruptions.release_content_hash(interruption.release_id))
    if status is not LinkStatus.USABLE:
        return status
    task = await uow.tasks.get(interruption.task_id)
    user = await uow.users.get(link.user_id)
    if not interruption.is_pending or task.cancel_requested or task.state in TERMINAL_TASK_STATES or not user.active:
        return LinkStatus.REVOKED
    return LinkStatus.USABLE


# -- reading -------------------------------------------------------------------------------------


async def list_interruptions(
    uow: UnitOfWork, user: User, *, state: StateFilter = "pending", mine: bool = False, limit: int = 200
) -> list[tuple[Interruption, bool]]:
    """Interruptions with whether `user` may decide each; `mine` keeps only those."""
    teams = await uow.teams.list()
    listed = []
    for interruption in await uow.interruptions.list(state=state, limit=limit):
        can = interruption.is_pending and may_decide(interruption, user, teams, interruption.project_name)
        if can or not mine:
            listed.append((interruption, can))
    return listed


async def waiting_for(uow: UnitOfWork, task_id: int) -> list[str]:
    """For `GET /tasks/{id}`: the ids of the task's pending interruptions."""
    return [format_id("interruption", i) for i in await uow.interruptions.pending_ids(task_id)]
