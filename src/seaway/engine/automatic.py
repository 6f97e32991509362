"""Deploy automatically when a release enters a lifecycle phase marked automatic."""

from __future__ import annotations

from seaway.domain.lifecycles import automatic_environments
from seaway.domain.states import TaskState
from seaway.engine.clock import Clock
from seaway.engine.deployments import create_deployment, project_lifecycle
from seaway.engine.task_runs import TaskRun
from seaway.store.unit_of_work import UnitOfWork


class DeployOnPhaseEntry:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def __call__(self, uow: UnitOfWork, run: TaskRun) -> None:
        if run.task.state is not TaskState.SUCCESS or run.release.id is None:
            return
        lifecycle = await project_lifecycle(uow, run.project, run.release.channel)
        if not any(phase.automatic for phase in lifecycle.phases):
            return
        succeeded = set(await uow.deployments.succeeded_environments(run.release.id)) | {run.environment.name}
        already = {d.environment.lower() for d in await uow.deployments.list_for_release(run.release.id)}
        for environment in automatic_environments(lifecycle, succeeded):
            if environment.lower() not in already:
                await create_deployment(uow, run.release, environment, now=self.clock.now(), user=run.creator)
