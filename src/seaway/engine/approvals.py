"""Deciding interruptions: take, submit, and what a finished or canceled task does to its pending ones.

Every decision runs in the caller's transaction and does all of its effects there: the atomic state
change (one decision wins), voiding the links, the link's single use, the task's resume, the audit event
and the deployer's email. A rollback undoes all of them together.

Lock order matters on PostgreSQL: the interruption row is locked (by the conditional UPDATE) before any
link row, and voiding other links skips rows a concurrent decision holds, so two racing decisions queue
on the interruption instead of deadlocking on each other's links.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from seaway.domain.ids import format_id
from seaway.domain.interruptions import (
    ApprovalLink,
    Channel,
    Interruption,
    LinkNotUsable,
    LinkStatus,
    Result,
    already_decided_message,
    check_may_decide,
    link_status,
    may_decide,
    validate_decision,
)
from seaway.domain.safe_markdown import safe_html
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.domain.users import User
from seaway.engine.mail import queue_email
from seaway.engine.orchestrator import RUN_TASK, TaskRun, run_task_key
from seaway.errors import (
    Conflict,
    ContentChanged,
    DeploymentCanceled,
    InterruptionAlreadyDecided,
    InterruptionCanceled,
    InvalidInput,
)
from seaway.notify.base import Email
from seaway.notify.messages import (
    DecisionNotice,
    DecisionReceipt,
    DeploymentResultNotice,
    decision_email,
    decision_receipt_email,
    deployment_result_email,
)
from seaway.security.tokens import token_fingerprint
from seaway.steps.manual_intervention import release_changes
from seaway.store.audit import AuditEvent
from seaway.store.interruptions import StateFilter
from seaway.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("seaway.approvals")


def _public_id(interruption: Interruption) -> str:
    return format_id("interruption", interruption.id)


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


async def take(
    uow: UnitOfWork,
    interruption_id: int,
    user: User,
    *,
    now: datetime,
    channel: str = Channel.API,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Interruption:
    """Assign to me: the user shows they are dealing with it. Only a responsible user may take it."""
    interruption = await uow.interruptions.get(interruption_id)
    await refuse_unless_pending(uow, interruption)
    await _check_responsible(uow, interruption, user)
    assert user.id is not None
    taken = await uow.interruptions.take(interruption_id, user.id, now)
    if taken is None:
        await refuse_unless_pending(uow, await uow.interruptions.get(interruption_id))
        raise Conflict(f"{_public_id(interruption)} can no longer be taken")  # pragma: no cover - raised above
    await uow.audit.record(
        AuditEvent(
            at=now,
            action="interruption.taken",
            entity="interruption",
            entity_id=_public_id(taken),
            actor_user_id=user.id,
            actor=user.username,
            channel=str(_channel(channel)),
            ip=ip,
            user_agent=user_agent,
            details={"task_id": format_id("task", taken.task_id), "previously_taken_by": interruption.taken_by},
        )
    )
    return taken


def _channel(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise InvalidInput(f"unknown channel {value!r}", field="channel") from None


async def submit_decision(
    uow: UnitOfWork,
    interruption_id: int,
    user: User,
    *,
    result: str,
    notes: str,
    channel: str,
    now: datetime,
    ip: str | None = None,
    user_agent: str | None = None,
    link_token_hash: str | None = None,
    auth_method: str = "api-key",
) -> Interruption:
    """Decide an interruption: proceed or abort, with notes (required to abort).

    `auth_method` is the evidence of who decided, for the audit event: "api-key", "link" (holding the
    emailed link only) or "link+session" (the link and a signed-in session of the same user).

    Raises InvalidInput (result, notes), NotResponsible, InterruptionAlreadyDecided ("already decided by X
    at T"), InterruptionCanceled, DeploymentCanceled, ContentChanged, or LinkNotUsable when
    `link_token_hash` names a link that cannot make this decision. With a link, the link is consumed
    here, in this transaction; a caller that consumed it already (with the same `now`) is accepted.
    """
    chosen, text = validate_decision(result, notes)
    via = _channel(channel)
    interruption = await uow.interruptions.get(interruption_id)
    await refuse_unless_pending(uow, interruption)
    await refuse_unless_running(uow, interruption)
    await _check_responsible(uow, interruption, user)
    current_hash = await refuse_if_content_changed(uow, interruption)
    link = None
    if link_token_hash is not None:
        link = await _check_link(uow, link_token_hash, interruption, user, chosen.value, current_hash, now)
    assert user.id is not None
    decided = await uow.interruptions.decide(
        interruption_id, user_id=user.id, result=chosen, notes=text, channel=via.value, now=now
    )
    if decided is None:  # another decision or a cancel committed first
        await refuse_unless_pending(uow, await uow.interruptions.get(interruption_id))
        raise Conflict(f"{_public_id(interruption)} is no longer pending")  # pragma: no cover - raised above
    if link is not None and link.used_at is None and await uow.approval_links.consume(link.token_hash, now) is None:
        raise LinkNotUsable("the link was used or revoked a moment ago", LinkStatus.USED)
    voided = await uow.approval_links.revoke_for_interruption(interruption_id, now)
    await uow.queue.enqueue(RUN_TASK, run_task_key(decided.task_id), {"task_id": decided.task_id}, now)
    details: dict[str, Any] = {
        "result": chosen.value,
        "notes": text,
        "task_id": format_id("task", decided.task_id),
        "deployment_id": format_id("deployment", decided.deployment_id),
        "content_hash": decided.content_hash,
        "links_voided": voided,
        "auth_method": auth_method,
    }
    if link is not None:
        details["link_token_fingerprint"] = token_fingerprint(link.token_hash)
        details["link_opened_at"] = link.opened_at.isoformat() if link.opened_at else None
        details["link_sent_at"] = link.created_at.isoformat()
    await uow.audit.record(
        AuditEvent(
            at=now,
            action="interruption.submitted",
            entity="interruption",
            entity_id=_public_id(decided),
            actor_user_id=user.id,
            actor=user.username,
            channel=via.value,
            ip=ip,
            user_agent=user_agent,
            details=details,
        )
    )
    await _notify_decision(uow, decided, user, now)
    await _send_receipt(uow, decided, user, via, ip, now)
    return decided


async def _check_link(
    uow: UnitOfWork,
    token_hash: str,
    interruption: Interruption,
    user: User,
    decision: str,
    current_hash: str,
    now: datetime,
) -> ApprovalLink:
    link = await uow.approval_links.find_by_hash(token_hash)
    if link is None or link.interruption_id != interruption.id or link.user_id != user.id:
        raise LinkNotUsable("the link is not valid for this decision", LinkStatus.REVOKED)
    if link.decision.value != decision:
        raise LinkNotUsable(f"this link can only {link.decision.value}", LinkStatus.REVOKED)
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


# -- the deployer's emails -----------------------------------------------------------------------


async def _deployer(uow: UnitOfWork, deployment_id: int) -> User | None:
    deployment = await uow.deployments.get(deployment_id)
    if deployment.created_by is None:
        return None
    deployer = await uow.users.get(deployment.created_by)
    return deployer if deployer.email and deployer.active else None


async def _queue_quietly(uow: UnitOfWork, build: Callable[[], Email], key: str, now: datetime) -> None:
    """A notification that cannot be built is logged and skipped: it must never undo a decision."""
    try:
        email = build()
    except InvalidInput as exc:
        log.warning("not sending %s: %s", key, exc)
        return
    await queue_email(uow, email, key, now=now)


async def _notify_decision(uow: UnitOfWork, interruption: Interruption, decider: User, now: datetime) -> None:
    deployer = await _deployer(uow, interruption.deployment_id)
    if deployer is None or deployer.email is None:
        return
    notice = DecisionNotice(
        deployer_name=deployer.label,
        deployer_email=deployer.email,
        project=interruption.project_name,
        release=interruption.release_version,
        environment=interruption.environment,
        step=interruption.step_name,
        outcome="approved" if interruption.result is Result.PROCEED else "rejected",
        decided_by_name=decider.label,
        decided_by_username=decider.username,
        decided_at=now,
        deployment_url=interruption.deployment_url,
        note=interruption.notes,
    )
    await _queue_quietly(uow, lambda: decision_email(notice), f"decision:{interruption.id}", now)


async def _send_receipt(
    uow: UnitOfWork, interruption: Interruption, decider: User, via: Channel, ip: str | None, now: datetime
) -> None:
    """The decider's own copy: a decision made with a forwarded link or a stolen key is noticed at once.
    A deployer who decided their own gate (where the step allows it) already gets the decision email."""
    if not decider.email or decider.id == interruption.requested_by:
        return
    receipt = DecisionReceipt(
        recipient_name=decider.label,
        recipient_email=decider.email,
        project=interruption.project_name,
        release=interruption.release_version,
        environment=interruption.environment,
        step=interruption.step_name,
        outcome="approved" if interruption.result is Result.PROCEED else "rejected",
        decided_at=now,
        channel=via.value,
        ip=ip,
        deployment_url=interruption.deployment_url,
        note=interruption.notes,
    )
    await _queue_quietly(uow, lambda: decision_receipt_email(receipt), f"decision-receipt:{interruption.id}", now)


class FinishApprovals:
    """The orchestrator's `on_finished` hook: runs in the transaction that ends a task.

    A task that ends with interruptions still pending (it was canceled) cancels them and voids their
    links. The deployer of a deployment that waited for a decision is told how it ended.
    """

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")

    async def __call__(self, uow: UnitOfWork, run: TaskRun) -> None:
        # One query for the common case: a task that never waited for anyone has nothing to do here.
        if not await uow.interruptions.list(state="all", task_id=run.task.id, limit=1):
            return
        now = run.task.finished_at or run.task.queued_at
        reason = "the deployment was canceled" if run.task.state is TaskState.CANCELED else "the deployment ended"
        for canceled in await uow.interruptions.cancel_pending(run.task.id, now, reason):
            assert canceled.id is not None
            voided = await uow.approval_links.revoke_for_interruption(canceled.id, now)
            await uow.audit.record(
                AuditEvent(
                    at=now,
                    action="interruption.canceled",
                    entity="interruption",
                    entity_id=_public_id(canceled),
                    details={"reason": reason, "task_id": format_id("task", run.task.id), "links_voided": voided},
                )
            )
        deployer = run.creator
        if deployer is None or not deployer.email or run.task.state not in TERMINAL_TASK_STATES:
            return
        notice = DeploymentResultNotice(
            deployer_name=deployer.label,
            deployer_email=deployer.email,
            project=run.project.name,
            release=run.release.version,
            environment=run.environment.name,
            state=run.task.state.value,  # type: ignore[arg-type]  # terminal: success, failed or canceled
            error=run.task.error,
            finished_at=now,
            deployment_url=f"{self.public_url}/deployments/{format_id('deployment', run.deployment.id)}",
        )
        await _queue_quietly(uow, lambda: deployment_result_email(notice), f"deployment-result:{run.task.id}", now)


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


def make_waiting_for(store: Store) -> Callable[[int], Awaitable[list[str]]]:
    """For `GET /tasks/{id}`: the ids of the task's pending interruptions."""

    async def waiting_for(task_id: int) -> list[str]:
        async with store.reading() as uow:
            return [format_id("interruption", i) for i in await uow.interruptions.pending_ids(task_id)]

    return waiting_for


async def decision_page_facts(uow: UnitOfWork, interruption_id: int) -> dict[str, Any]:
    """Everything a confirmation page shows about an interruption. `instructions_html` is safe HTML."""
    interruption = await uow.interruptions.get(interruption_id)
    deployment = await uow.deployments.get(interruption.deployment_id)
    release = await uow.releases.get(interruption.release_id)
    task = await uow.tasks.get(interruption.task_id)
    deployer = await uow.users.get(deployment.created_by) if deployment.created_by is not None else None
    decider = await uow.users.get(interruption.decided_by) if interruption.decided_by is not None else None
    taker = await uow.users.get(interruption.taken_by) if interruption.taken_by is not None else None
    return {
        "id": _public_id(interruption),
        "kind": interruption.kind.value,
        "state": interruption.state.value,
        "title": interruption.title,
        "project": interruption.project_name,
        "release": interruption.release_version,
        "release_id": format_id("release", interruption.release_id),
        "release_notes": release.notes,
        "environment": interruption.environment,
        "step": interruption.step_name,
        "instructions_text": interruption.instructions,
        "instructions_html": safe_html(interruption.instructions),
        "deployer": deployer.label if deployer else None,
        "deployer_username": deployer.username if deployer else None,
        "changes": await release_changes(uow, deployment, release),
        "responsible_teams": list(interruption.responsible_teams),
        "links_require_sign_in": interruption.links_require_sign_in,
        "task_id": format_id("task", interruption.task_id),
        "task_state": task.state.value,
        "cancel_requested": task.cancel_requested,
        "deployment_id": format_id("deployment", interruption.deployment_id),
        "deployment_url": interruption.deployment_url,
        "created_at": interruption.created_at,
        "taken_by": taker.label if taker else None,
        "result": interruption.result.value if interruption.result else None,
        "outcome": interruption.outcome.value if interruption.outcome else None,
        "decided_by": decider.label if decider else None,
        "decided_by_username": decider.username if decider else None,
        "decided_at": interruption.decided_at,
        "notes": interruption.notes,
    }
