"""Letting one deployment through a freeze, and waking a task when what held it back ends.

An override needs `freeze.override` where the deployment runs and a reason; it is audited
(`deployment.freeze_override`), logged, emailed to the approvers of the deployment's change request (or,
without one, to its deployer), and the deployment then starts if nothing else holds it.
"""

from __future__ import annotations

from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.change_requests import format_number
from seaway.domain.freezes import validate_override_reason
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission, authorize
from seaway.domain.policies import approvers
from seaway.domain.states import TaskState
from seaway.domain.users import User
from seaway.engine.audit_trail import event_of
from seaway.engine.clock import Clock
from seaway.engine.freezes import freeze_in_force
from seaway.engine.mail import queue_email
from seaway.engine.orchestrator import RUN_TASK, FinishItem, run_task_key
from seaway.errors import Conflict
from seaway.notify.addressing import deployment_page
from seaway.notify.messages import SimpleMessage, simple_message_email
from seaway.store.freezes import FreezeOverride
from seaway.store.queue import WorkItem
from seaway.store.scopes import Where
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import Store, UnitOfWork


async def override_freeze(
    uow: UnitOfWork, deployment_id: int, actor: Actor, *, reason: object, now: datetime, public_url: str
) -> FreezeOverride:
    """Raises NotFound, PermissionDenied (no `freeze.override` there), InvalidInput (no reason) or Conflict
    (the deployment has started, or no freeze holds it)."""
    deployment = await uow.deployments.get(deployment_id)
    project = await uow.projects.get(deployment.project_id)
    authorize(actor.user, Permission.FREEZE_OVERRIDE, project.name, deployment.environment)
    text = validate_override_reason(reason)
    public = format_id("deployment", deployment_id)
    assert deployment.task_id is not None
    task = await uow.tasks.get(deployment.task_id)
    if task.state is not TaskState.QUEUED or task.cancel_requested:
        raise Conflict(f"{public} has already started or ended", entity="deployment", id=public)
    freeze = await freeze_in_force(uow, project.name, deployment.environment, now)
    if freeze is None:
        raise Conflict(f"no freeze holds {public}", entity="deployment", id=public)
    override = FreezeOverride(deployment_id, actor.user.id, text, (freeze.name,), now)
    await uow.freezes.add_override(override)
    gate = await uow.change_requests.find_for_task(deployment.task_id)
    line = f'{actor.user.label} overrode the freeze "{freeze.name}" for this deployment: {text}'
    await uow.tasks.append_log(deployment.task_id, [LogLine(now, "warning", line)])
    details = {"freeze": freeze.name, "reason": text, "change_request": format_number(gate.id) if gate else None}
    where = Where(project.name, deployment.environment)
    await uow.audit.record(event_of(actor, now, "deployment.freeze_override", public, details, where))
    if gate is not None:
        teams = await uow.teams.list()
        names = approvers(gate.effective_policy, teams)
        told = [u for u in await uow.users.list() if u.username.lower() in names]
    elif deployment.created_by is not None:
        told = [await uow.users.get(deployment.created_by)]
    else:
        told = []
    url = deployment_page(public_url, deployment_id)
    about = f"{project.name} to {deployment.environment}"
    for user in _reachable(told):
        body = f"{line}\n\nThe deployment {public} ({about}) may now start.\n\n{url}\n"
        email = simple_message_email(
            SimpleMessage((user.email or "",), f"Freeze overridden: {about} ({freeze.name})", body)
        )
        await queue_email(uow, email, f"freeze-override:{deployment_id}:{user.id}:{now.isoformat()}", now=now)
    await uow.queue.enqueue(RUN_TASK, run_task_key(deployment.task_id), {"task_id": deployment.task_id}, now)
    return override


def _reachable(users: list[User]) -> list[User]:
    return [u for u in users if u.active and u.email]


class StartHoldWake:
    """The `start-hold` work item handler: when a freeze ends or a window opens or closes, the task is
    advanced again (`run-task`), which starts it, holds it once more, or refuses it."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def __call__(self, item: WorkItem, lease: object, finish: FinishItem) -> bool:
        task_id = int(item.payload["task_id"])
        async with self.store.transaction() as uow:
            # A task that has started since (or ended) is past every check made at the start.
            if (await uow.tasks.get(task_id)).state is TaskState.QUEUED:
                await uow.queue.enqueue(RUN_TASK, run_task_key(task_id), {"task_id": task_id}, self.clock.now())
            await finish(uow)
        return True
