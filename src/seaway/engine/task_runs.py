"""A task being advanced: what one `advance()` loads once, stages, and writes back; its variables.

`load_task_run` reads the task with its deployment, release, project, environment and step runs (the
look-ups of earlier releases only when a variable names them); `TaskRun.write_staged` writes what changed
in one statement per table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from seaway.domain.deployments import Deployment
from seaway.domain.environments import Environment
from seaway.domain.ids import format_id
from seaway.domain.masking import Masker
from seaway.domain.permissions import Permission, authorize
from seaway.domain.process import Step
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.states import TERMINAL_TASK_STATES
from seaway.domain.system_variables import (
    APPLICATIONS_DIRECTORY,
    DeploymentFacts,
    MachineRun,
    StepStatus,
    package_variables,
)
from seaway.domain.tasks import StepRun, Task
from seaway.domain.users import User
from seaway.domain.variables import Variable, apply_prompted, sensitive_values
from seaway.engine.clock import Clock
from seaway.engine.task_log import TaskLog
from seaway.engine.variables import refers_to_previous, variables_for_step
from seaway.errors import PermissionDenied
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class EngineConfig:
    work_dir: Path
    public_url: str
    applications_dir: Path | None = None  # where deployed applications live on this server


@dataclass
class TaskRun:
    """Everything one advance() needs, loaded once."""

    task: Task
    deployment: Deployment
    release: Release
    project: Project
    environment: Environment
    creator: User | None
    variables: tuple[Variable, ...]
    runs: list[StepRun]
    outputs: dict[int, dict[str, str]]
    log: TaskLog
    previous_successful_id: int | None = None
    previous_release: str | None = None
    previous_environment_release: str | None = None
    staged: dict[int, StepRun] = field(default_factory=dict)
    # The step runs exist only here until the first write inserts them, already in their staged states.
    runs_inserted: bool = True

    def stage(self, run: StepRun, outputs: Mapping[str, str] | None = None) -> None:
        self.runs[run.index] = run
        self.staged[run.index] = run
        if outputs is not None:
            self.outputs[run.index] = dict(outputs)

    async def write_staged(self, uow: UnitOfWork) -> None:
        """One statement per table: the step runs that changed, then the log lines."""
        if not self.runs_inserted:
            await uow.tasks.add_step_runs(self.runs, self.outputs)
            self.runs_inserted = True
        elif self.staged:
            await uow.tasks.save_step_runs(list(self.staged.values()), self.outputs)
        self.staged.clear()
        await self.log.flush(uow)


async def load_task_run(uow: UnitOfWork, task_id: int, clock: Clock) -> TaskRun | None:
    """The task and everything advancing it needs, in a few reads of `uow`; None when it has ended."""
    task = await uow.tasks.get(task_id)
    if task.state in TERMINAL_TASK_STATES:
        return None
    deployment = await uow.deployments.get(task.deployment_id)
    release = await uow.releases.get(deployment.release_id)
    project = await uow.projects.get(deployment.project_id)
    environment = await uow.environments.get_by_name(deployment.environment)
    creator = await uow.users.get(deployment.created_by) if deployment.created_by is not None else None
    variables = apply_prompted(release.variables, deployment.prompted_variables)
    runs, stored_outputs = await uow.tasks.step_runs_and_outputs(task_id)
    outputs = {i: {k: str(v) for k, v in o.items()} for i, o in stored_outputs.items()}
    masker = Masker(sensitive_values(variables))
    run = TaskRun(
        task=task,
        deployment=deployment,
        release=release,
        project=project,
        environment=environment,
        creator=creator,
        variables=variables,
        runs=runs,
        outputs=outputs,
        log=TaskLog(task_id, masker, clock.now),
    )
    # Three look-ups that only a variable naming an earlier release or deployment needs.
    if refers_to_previous(variables, release.process):
        assert deployment.id is not None
        previous = await uow.deployments.previous_successful(project.id or 0, environment.name, deployment.id)
        previous_release = await uow.releases.previous(project.id or 0, release.id or 0)
        previous_env_release = await uow.releases.get(previous.release_id) if previous else None
        run.previous_successful_id = previous.id if previous else None
        run.previous_release = previous_release.version if previous_release else None
        run.previous_environment_release = previous_env_release.version if previous_env_release else None
    return run


def creator_refusal(run: TaskRun) -> str | None:
    """Why the deployment may not start after all: its creator no longer holds `deployment.create` there (a
    role was taken away while it was queued). None when they still do, or when Seaway itself created it.

    Checked from the creator's grants as loaded with the run, at no extra cost. A disabled creator's queued
    deployments still run: disabling someone stops what they do next, not what they already asked for.
    """
    if run.creator is None:
        return None
    creator = replace(run.creator, active=True)
    permission = Permission.DEPLOYMENT_CREATE
    try:
        authorize(creator, permission, run.project.name, run.environment.name)
    except PermissionDenied as refused:
        # `missing permission deployment.create for environment "Prod"`: the scope that is missing, if any.
        scope = refused.message.removeprefix(f"missing permission {permission}")
        if not scope:
            scope = f' for environment "{run.environment.name}"'
        return f'the deployment\'s creator "{creator.username}" no longer has permission {permission}{scope}'
    return None


def deployment_facts(run: TaskRun, public_url: str) -> DeploymentFacts:
    return DeploymentFacts(
        project_id=format_id("project", run.project.id),
        project_name=run.project.name,
        environment_id=format_id("environment", run.environment.id),
        environment_name=run.environment.name,
        release_id=format_id("release", run.release.id),
        release_number=run.release.version,
        release_notes=run.release.notes,
        release_created=run.release.created_at,
        deployment_id=format_id("deployment", run.deployment.id),
        deployment_created=run.deployment.created_at,
        task_id=format_id("task", run.task.id),
        server_uri=public_url,
        created_by=run.creator,
        previous_successful_deployment_id=format_id("deployment", run.previous_successful_id)
        if run.previous_successful_id
        else None,
        previous_release_number=run.previous_release,
        previous_environment_release_number=run.previous_environment_release,
        error=run.task.error if run.task.failed_steps else None,
        error_detail=run.task.error_detail if run.task.failed_steps else None,
        comments=run.deployment.comments,
    )


def step_values(
    run: TaskRun, index: int, config: EngineConfig, machine: MachineRun | None = None, step: Step | None = None
) -> dict[str, str]:
    """The variables of one step of the run, resolved for its scope, with the system variables; with
    `machine`, as that target sees them (`step` is then a child step of the one at `index`, if given)."""
    statuses = [StepStatus(r.name, r.index + 1, r.state, r.error, run.outputs.get(r.index)) for r in run.runs]
    parent = run.release.process[index]
    step = step or parent
    facts = deployment_facts(run, config.public_url)
    values = variables_for_step(run.variables, facts, statuses, step, statuses[index], machine)
    if step is not parent:  # a rolling step's child: the step is the parent, the action the child (Octopus's)
        values["Octopus.Action.Name"] = step.name
    if run.release.packages:
        values.update(package_variables(run.release.packages, step.name))
    if config.applications_dir is not None:
        values[APPLICATIONS_DIRECTORY] = str(config.applications_dir)
    return values
