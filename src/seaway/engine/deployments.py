"""Creating releases and deployments, and asking for a cancel: the proposals the edges make.

Given the `actor` (a person through the API, the CLI or the pages), each also records its audit event
(`release.created`, `deployment.created`, `task.cancel_requested`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.deployments import Deployment
from seaway.domain.ids import format_id
from seaway.domain.lifecycles import Lifecycle, default_lifecycle, why_not_allowed
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.states import TERMINAL_TASK_STATES
from seaway.domain.tasks import Task
from seaway.domain.users import User
from seaway.domain.variables import Variable, apply_prompted, combine
from seaway.engine.audit_trail import event_of
from seaway.engine.change_requests import open_change_request
from seaway.engine.orchestrator import RUN_TASK, run_task_key
from seaway.errors import Conflict, InvalidInput, LifecycleRefused, NotFound
from seaway.store.scopes import Scopes, Where
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DeploymentCreated:
    deployment: Deployment
    task: Task


async def project_variables(uow: UnitOfWork, project: Project) -> tuple[Variable, ...]:
    library_sets = []
    for index, name in enumerate(project.includes):
        variable_set = await uow.library_variable_sets.find_by_name(name)
        if variable_set is None:
            raise InvalidInput(f'unknown library variable set "{name}"', field=f"includes[{index}]")
        library_sets.append(variable_set.variables)
    return combine(project.variables, library_sets)


async def project_lifecycle(uow: UnitOfWork, project: Project, channel: str | None = None) -> Lifecycle:
    """The lifecycle a release follows: its channel's, else the project's, else the default one."""
    chosen = next((c.lifecycle for c in project.channels if channel and c.name.lower() == channel.lower()), None)
    for name in (chosen, project.lifecycle):
        if name:
            lifecycle = await uow.lifecycles.find_by_name(name)
            if lifecycle is not None:
                return lifecycle
    return default_lifecycle([e.name for e in await uow.environments.list()])


async def create_deployment(
    uow: UnitOfWork,
    release: Release,
    environment_name: str,
    *,
    now: datetime,
    user: User | None,
    variables: Mapping[str, str] | None = None,
    comments: str = "",
    actor: Actor | None = None,
) -> DeploymentCreated:
    project = await uow.projects.get(release.project_id)
    environment = await uow.environments.find_by_name(environment_name)
    if environment is None or environment.id is None:
        raise InvalidInput(f'unknown environment "{environment_name}"', field="environment")
    lifecycle = await project_lifecycle(uow, project, release.channel)
    assert release.id is not None
    succeeded = await uow.deployments.succeeded_environments(release.id)
    refusal = why_not_allowed(lifecycle, environment.name, succeeded)
    if refusal is not None:
        raise LifecycleRefused(
            f"release {release.version} cannot be deployed to {environment.name} yet: {refusal}", field="environment"
        )
    supplied = dict(variables or {})
    apply_prompted(release.variables, supplied)  # a missing required prompt is refused now, not mid-deployment
    deployment = await uow.deployments.add(
        Deployment(
            release_id=release.id,
            project_id=release.project_id,
            environment=environment.name,
            created_at=now,
            created_by=user.id if user else None,
            prompted_variables=supplied,
            comments=comments or "",
        ),
        environment.id,
    )
    assert deployment.id is not None
    task = await uow.tasks.add(deployment.id, now)
    gate = await open_change_request(
        uow,
        deployment_id=deployment.id,
        task_id=task.id,
        project=project.name,
        environment=environment.name,
        release_version=release.version,
        deployer=user,
        now=now,
        actor=actor,
    )
    if gate is None:  # a gated deployment is enqueued by the decision that approves it
        await uow.queue.enqueue(RUN_TASK, run_task_key(task.id), {"task_id": task.id}, now)
    deployment = Deployment(**{**deployment.__dict__, "task_id": task.id})
    if actor is not None:
        details = {
            "release": release.version,
            "release_id": format_id("release", release.id),
            "task_id": format_id("task", task.id),
            "comments": deployment.comments,
            "prompted_variables": sorted(supplied),  # their names: a prompted value may be sensitive
        }
        where = Where(project.name, environment.name)
        public_id = format_id("deployment", deployment.id)
        await uow.audit.record(event_of(actor, now, "deployment.created", public_id, details, where))
    return DeploymentCreated(deployment, task)


async def request_cancel(uow: UnitOfWork, task_id: int, *, now: datetime, actor: Actor | None = None) -> Task:
    """Record the wish; the engine decides. A queued or waiting task is woken so it can end itself."""
    task = await uow.tasks.get(task_id)
    if task.state in TERMINAL_TASK_STATES:
        raise Conflict(f"the task is already {task.state}", entity="task", id=str(task_id))
    await uow.tasks.request_cancel(task_id)
    await uow.queue.enqueue(RUN_TASK, run_task_key(task_id), {"task_id": task_id}, now)
    if actor is not None:
        details = {"state": str(task.state), "deployment_id": format_id("deployment", task.deployment_id)}
        where = await Scopes(uow.conn).of_task(task_id)
        await uow.audit.record(
            event_of(actor, now, "task.cancel_requested", format_id("task", task_id), details, where)
        )
    return await uow.tasks.get(task_id)


async def find_release(uow: UnitOfWork, project: Project, version: str) -> Release:
    assert project.id is not None
    release = await uow.releases.find_by_version(project.id, version)
    if release is None:
        raise NotFound(f'"{project.name}" has no release {version}', entity="release", id=version)
    return release
