"""What the deployer and a decider are told by email, and what a task that ends does to its interruptions.

Every email here is queued in the caller's transaction (see `engine.mail`). One that cannot be built is
logged and skipped: a notification must never undo the decision or the task's end that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

from seaway.domain.actors import Actor
from seaway.domain.change_requests import ChangeRequest, ChangeRequestState, format_number
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Interruption, Result
from seaway.domain.process import has_gates
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.domain.users import User
from seaway.engine.mail import queue_email
from seaway.engine.task_runs import TaskRun
from seaway.errors import InvalidInput
from seaway.notify.addressing import AboutDeployment, Person, about_interruption, deployment_page
from seaway.notify.base import Email
from seaway.notify.messages import (
    DecisionNotice,
    DecisionReceipt,
    DeploymentResultNotice,
    Outcome,
    decision_email,
    decision_receipt_email,
    deployment_result_email,
)
from seaway.steps.manual_intervention import record_by_seaway
from seaway.store.unit_of_work import UnitOfWork

log = logging.getLogger("seaway.deployer_notices")


async def _deployer(uow: UnitOfWork, deployment_id: int) -> User | None:
    deployment = await uow.deployments.get(deployment_id)
    if deployment.created_by is None:
        return None
    deployer = await uow.users.get(deployment.created_by)
    return deployer if deployer.email and deployer.active else None


async def _queue_quietly(uow: UnitOfWork, build: Callable[[], Email], key: str, now: datetime) -> None:
    try:
        email = build()
    except InvalidInput as exc:
        log.warning("not sending %s: %s", key, exc)
        return
    await queue_email(uow, email, key, now=now)


class DecidedGate(TypedDict):
    """What a decision notice says of the gate decided: an interruption or a change request."""

    about: AboutDeployment
    step: str
    outcome: Outcome
    note: str


def _decided_gate(interruption: Interruption) -> DecidedGate:
    """What both the deployer's notice and the decider's receipt say about the decided interruption."""
    return DecidedGate(
        about=about_interruption(interruption),
        step=interruption.step_name,
        outcome="approved" if interruption.result is Result.PROCEED else "rejected",
        note=interruption.notes,
    )


async def notify_decision(uow: UnitOfWork, interruption: Interruption, decider: User, now: datetime) -> None:
    """The deployer learns who decided their deployment's interruption, and how."""
    deployer = await _deployer(uow, interruption.deployment_id)
    await tell_deployer(uow, deployer, decider, now, _decided_gate(interruption), f"decision:{interruption.id}")


async def tell_deployer(
    uow: UnitOfWork, deployer: User | None, decider: User, now: datetime, gate: DecidedGate, key: str
) -> None:
    """Email an active deployer with an address who decided their gate, and how."""
    if deployer is None or not deployer.email or not deployer.active:
        return
    notice = DecisionNotice(recipient=Person.of(deployer), decided_by=Person.of(decider), decided_at=now, **gate)
    await _queue_quietly(uow, lambda: decision_email(notice), key, now)


async def send_receipt(uow: UnitOfWork, interruption: Interruption, decider: Actor, now: datetime) -> None:
    """The decider's own copy: a decision made with a forwarded link or a stolen key is noticed at once.
    A deployer who decided their own interruption (where the step allows it) already gets the decision email."""
    user = decider.user
    if not user.email or user.id == interruption.requested_by:
        return
    key = f"decision-receipt:{interruption.id}"
    await send_decision_receipt(uow, user, decider.channel.value, decider.ip, now, _decided_gate(interruption), key)


async def send_decision_receipt(
    uow: UnitOfWork, user: User, channel: str, ip: str | None, now: datetime, gate: DecidedGate, key: str
) -> None:
    """Email the decider, when they have an address, what they decided, when and from where."""
    if not user.email:
        return
    receipt = DecisionReceipt(recipient=Person.of(user), decided_at=now, channel=channel, ip=ip, **gate)
    await _queue_quietly(uow, lambda: decision_receipt_email(receipt), key, now)


class FinishInterruptions:
    """The orchestrator's `on_finished` hook: runs in the transaction that ends a task.

    A task that ends with interruptions still pending (it was canceled) cancels them and voids their
    links. The deployer of a deployment that waited for a decision (an interruption's, or its change
    request's) is told how it ended, and how the change request was decided.
    """

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")

    async def __call__(self, uow: UnitOfWork, run: TaskRun) -> None:
        # A task that never waited for anyone has nothing to do here: no interruption query for a process
        # without gates, and one query for its change request.
        interrupted = has_gates(run.release.process) and bool(
            await uow.interruptions.list(state="all", task_id=run.task.id, limit=1)
        )
        gate = await uow.change_requests.find_for_task(run.task.id)
        if not interrupted and gate is None:
            return
        now = run.task.finished_at or run.task.queued_at
        if interrupted:
            await self._cancel_pending(uow, run, now)
        deployer = run.creator
        if deployer is None or not deployer.email or run.task.state not in TERMINAL_TASK_STATES:
            return
        assert run.deployment.id is not None
        about = AboutDeployment(
            project=run.project.name,
            release=run.release.version,
            environment=run.environment.name,
            deployment_url=deployment_page(self.public_url, run.deployment.id),
        )
        notice = DeploymentResultNotice(
            about=about,
            recipient=Person.of(deployer),
            state=run.task.state,
            error=run.task.error,
            finished_at=now,
            change_request=await _how_decided(uow, gate) if gate is not None else "",
        )
        await _queue_quietly(uow, lambda: deployment_result_email(notice), f"deployment-result:{run.task.id}", now)

    @staticmethod
    async def _cancel_pending(uow: UnitOfWork, run: TaskRun, now: datetime) -> None:
        reason = "the deployment was canceled" if run.task.state is TaskState.CANCELED else "the deployment ended"
        for canceled in await uow.interruptions.cancel_pending(run.task.id, now, reason):
            assert canceled.id is not None
            voided = await uow.approval_links.revoke_for_interruption(canceled.id, now)
            details = {"reason": reason, "task_id": format_id("task", run.task.id), "links_voided": voided}
            await record_by_seaway(uow, now, "canceled", canceled, details)


async def _how_decided(uow: UnitOfWork, request: ChangeRequest) -> str:
    """`SEA-4 approved by Alice Approver, Carol Outsider`, or the reason it was rejected or canceled."""
    assert request.id is not None
    number = format_number(request.id)
    if request.state is not ChangeRequestState.APPROVED:
        if number in request.reason:
            return request.reason
        return f"{number} {request.state.value}" + (f": {request.reason}" if request.reason else "")
    approvals = [d for d in await uow.change_requests.decisions(request.id) if d.result is Result.PROCEED]
    names = [(await uow.users.get(d.user_id)).label for d in approvals]
    return f"{number} approved by {', '.join(names)}"
