"""The only code that advances deployments.

`advance()` loads a task, asks the domain what may happen, runs the next steps and persists each
transition, with the follow-up work it causes, in one transaction. State is committed once per group of
steps (the results of one group and the start of the next share a commit), never per log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from seaway.domain.process import RunCondition, Step, StepType, skip_reason, step_groups
from seaway.domain.states import TERMINAL_STEP_STATES, StepState, TaskState
from seaway.domain.system_variables import MachineRun
from seaway.domain.tasks import StepRun
from seaway.domain.transitions import Proposal, transition
from seaway.engine.clock import Clock
from seaway.engine.faults import AFTER_STEP_SIDE_EFFECT, BEFORE_COMPLETE, MID_LOG_FLUSH, NO_FAULTS, FaultPoints
from seaway.engine.start_holds import StartGate, before_start
from seaway.engine.task_runs import EngineConfig, TaskRun, creator_refusal, load_task_run, step_values
from seaway.engine.variables import PRINT_VARIABLES, StepRenderer, flag
from seaway.errors import SeawayError
from seaway.steps.base import Failed, StepContext, StepExecutor, StepOutcome, Succeeded, Waiting
from seaway.store.unit_of_work import Store, UnitOfWork

RUN_TASK = "run-task"
LOG_FLUSH_SECONDS = 1.0
REFUSED = "the deployment was refused before it started"


def run_task_key(task_id: int) -> str:
    return f"{RUN_TASK}:{task_id}"


class Lease(Protocol):
    """The worker's hold on the work item: `cancel` is set when the task must stop, `lost` when another
    node may have taken the item over (then nothing more may be written). `hold` starts every transaction
    written for the item: it refuses it (LeaseLost) once another node has taken the item over."""

    cancel: asyncio.Event

    @property
    def lost(self) -> bool: ...

    async def hold(self, uow: UnitOfWork) -> None: ...


FinishItem = Callable[[UnitOfWork], Awaitable[None]]
TaskHook = Callable[[UnitOfWork, "TaskRun"], Awaitable[None]]


class Orchestrator:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        executors: Mapping[StepType, StepExecutor],
        config: EngineConfig,
        *,
        on_finished: Sequence[TaskHook] = (),
        faults: FaultPoints = NO_FAULTS,
        start_gates: Sequence[StartGate] = (),
    ) -> None:
        self.store = store
        self.clock = clock
        self.executors = executors
        self.config = config
        self.on_finished = list(on_finished)
        self.faults = faults
        self.start_gates = list(start_gates)

    async def advance(self, task_id: int, lease: Lease, finish: FinishItem) -> bool:
        """Move the task as far as it can go now. Returns True when `finish` was called in a transaction."""
        async with self.store.transaction() as uow:
            await lease.hold(uow)
            run = await load_task_run(uow, task_id, self.clock)
            if run is None:
                return False
            if run.task.cancel_requested:
                await uow.change_requests.cancel_for_task(task_id, self.clock.now(), "the deployment was canceled")
                await self._end(uow, run, TaskState.CANCELED, finish)
                return True
            starting = run.task.state is TaskState.QUEUED
            # A change request, a freeze or a change window may keep it queued, or refuse it before any step.
            if starting and (held := await before_start(uow, run, self.clock.now(), self.start_gates)) is not None:
                await (finish(uow) if held.refusal is None else self._refuse(uow, run, held.refusal, finish))
                return True
            if not await self._start(uow, run):
                await run.write_staged(uow)
                await finish(uow)  # another deployment holds the slot; it will enqueue this one when done
                return True
            refusal = creator_refusal(run) if starting else None
            if refusal is not None:
                await self._refuse(uow, run, refusal, finish)
                return True
            groups = step_groups(run.release.process)
            first = self._next_group(run, groups)
            if first is not None:
                self._stage_group_start(run, first)
                await run.write_staged(uow)
        return await self._run_groups(run, groups, lease, finish)

    # -- loading and starting ----------------------------------------------------------------------

    async def _start(self, uow: UnitOfWork, run: TaskRun) -> bool:
        task = run.task
        if task.state is TaskState.QUEUED:
            assert run.environment.id is not None
            project_id, environment_id = run.deployment.project_id, run.environment.id
            # Deployments of one project to one environment run one at a time, in the order they were queued;
            # whoever ends first enqueues the next queued one.
            if await uow.tasks.next_queued_for_slot(project_id, environment_id) != task.id:
                return False
            if not await uow.tasks.take_slot(task.id, project_id, environment_id):
                return False
            run.task, _ = transition(task, Proposal(TaskState.EXECUTING), self.clock.now())
            await uow.tasks.save(run.task)
            if not run.runs:
                run.runs = [StepRun(task.id, i, s.name) for i, s in enumerate(run.release.process)]
                run.runs_inserted = False
            run.log.add(f"Deploying {run.project.name} release {run.release.version} to {run.environment.name}")
        elif task.state is TaskState.WAITING:
            # It gave up its slot while it waited; another deployment may have taken it since. Then it stays
            # waiting, and whoever frees the slot wakes it before any queued deployment.
            assert run.environment.id is not None
            if not await uow.tasks.take_slot(task.id, run.deployment.project_id, run.environment.id):
                if not await uow.interruptions.pending_ids(task.id):
                    run.log.add(
                        f"Approved; continuing once the deployment in progress to {run.environment.name} has finished"
                    )
                return False
            run.task, _ = transition(task, Proposal(TaskState.EXECUTING), self.clock.now())
            await uow.tasks.save(run.task)
        else:  # executing: a node died mid-task and this one took the work item over
            run.log.add("Resuming the deployment after its previous worker stopped", "warning")
        return True

    async def _refuse(self, uow: UnitOfWork, run: TaskRun, refusal: str, finish: FinishItem) -> None:
        """End a deployment that may not start after all as failed, before any step ran."""
        now = self.clock.now()
        for step_run in run.runs:
            if step_run.state not in TERMINAL_STEP_STATES:
                run.stage(replace(step_run, state=StepState.SKIPPED, skip_reason=REFUSED, finished_at=now))
        run.task = replace(run.task, error=refusal, error_detail=refusal)
        await self._end(uow, run, TaskState.FAILED, finish)

    # -- the step loop -----------------------------------------------------------------------------

    @staticmethod
    def _next_group(run: TaskRun, groups: list[list[int]]) -> list[int] | None:
        for group in groups:
            if any(run.runs[i].state not in TERMINAL_STEP_STATES for i in group):
                return group
        return None

    def _stage_group_start(self, run: TaskRun, group: list[int]) -> None:
        now = self.clock.now()
        for index in group:
            step_run = run.runs[index]
            if step_run.state in TERMINAL_STEP_STATES:
                continue
            if step_run.state is StepState.PENDING:
                reason = self._skip_reason(run, index)
                if reason is not None:
                    run.stage(replace(step_run, state=StepState.SKIPPED, skip_reason=reason, finished_at=now))
                    run.log.add(f'Skipping step "{step_run.name}": {reason}', "info", index)
                    continue
            if step_run.state is StepState.RUNNING:
                run.log.add(f'Running step "{step_run.name}" again: its previous run did not finish', "warning", index)
            elif step_run.state is StepState.PENDING:
                run.log.add(f'Step {index + 1}: "{step_run.name}"', "info", index)
            run.stage(
                replace(
                    step_run,
                    state=StepState.RUNNING if step_run.state is not StepState.WAITING else StepState.WAITING,
                    started_at=step_run.started_at or now,
                    attempts=step_run.attempts + (0 if step_run.state is StepState.WAITING else 1),
                )
            )

    def _skip_reason(self, run: TaskRun, index: int) -> str | None:
        step = run.release.process[index]
        condition: bool | None = None
        if step.run_condition is RunCondition.VARIABLE and step.enabled:
            renderer = self._renderer(run, index, self._variables(run, index))
            condition = renderer.truthy(step.condition_expression or "")
        reason = skip_reason(step, run.environment.name, failed=run.task.failed_steps, condition_true=condition)
        return str(reason) if reason is not None else None

    async def _run_groups(self, run: TaskRun, groups: list[list[int]], lease: Lease, finish: FinishItem) -> bool:
        while True:
            group = self._next_group(run, groups)
            if group is None:
                return await self._finish(run, lease, finish)
            to_run = [i for i in group if run.runs[i].state in (StepState.RUNNING, StepState.WAITING)]
            stop_flushing = asyncio.Event()
            flusher = asyncio.create_task(self._flush_log_while_running(run, lease, stop_flushing))
            try:
                outcomes = await asyncio.gather(*(self._execute(run, i, lease) for i in to_run))
            finally:
                stop_flushing.set()
                await flusher
            self.faults.reached(AFTER_STEP_SIDE_EFFECT)
            if lease.lost:
                return False
            waiting: list[tuple[int, Waiting]] = []
            for index, outcome in zip(to_run, outcomes, strict=True):
                if isinstance(outcome, Waiting):
                    waiting.append((index, outcome))
                self._stage_outcome(run, index, outcome, canceled=lease.cancel.is_set())
            if lease.cancel.is_set():
                return await self._finish(run, lease, finish, canceled=True)
            if waiting:
                return await self._wait(run, waiting, lease, finish)
            following = self._next_group(run, groups)
            if following is None:
                return await self._finish(run, lease, finish)
            self._stage_group_start(run, following)
            async with self.store.transaction() as uow:
                await lease.hold(uow)
                await self._save_task_flags(uow, run)
                await run.write_staged(uow)

    async def _flush_log_while_running(self, run: TaskRun, lease: Lease, stop: asyncio.Event) -> None:
        """Write the log of running steps about once a second so it can be followed live, and at once when the
        log asks (its buffer is full enough; a step printing fast then waits for this flush).

        One flush at a time, each in its own short transaction, until every step of the group has returned:
        a step waiting for room in the log is only woken by a flush."""
        stopped = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                wanted = asyncio.ensure_future(run.log.flush_wanted.wait())
                await asyncio.wait({stopped, wanted}, timeout=LOG_FLUSH_SECONDS, return_when=asyncio.FIRST_COMPLETED)
                wanted.cancel()
                if not stop.is_set() and run.log.has_pending and not lease.lost:
                    async with self.store.transaction() as uow:
                        await lease.hold(uow)
                        await run.log.flush(uow)
                        self.faults.reached(MID_LOG_FLUSH)
        finally:
            stopped.cancel()

    async def _execute(self, run: TaskRun, index: int, lease: Lease) -> StepOutcome:
        step = run.release.process[index]
        executor = self.executors.get(step.type)
        if executor is None:
            return Failed(f'step type "{step.type}" is not available on this server')
        # A no-op step needs no variables; skipping their resolution keeps the engine's own overhead measurable.
        values = {} if step.type is StepType.NOOP else self._variables(run, index)
        if flag(values, PRINT_VARIABLES):
            run.log.add(f'Variables of step "{step.name}" (sensitive values are masked):', "info", index)
            for name in sorted(values, key=str.lower):
                run.log.add(f"  {name} = {values[name]}", "info", index)
        ctx = StepContext(
            task_id=run.task.id,
            step_index=index,
            step=step,
            environment=run.environment.name,
            variables=values,
            render=self._renderer(run, index, values),
            log=run.log.for_step(index),
            workdir=self.config.work_dir / f"task-{run.task.id}" / f"step-{index + 1}",
            cancel=lease.cancel,
            now=self.clock.now,
            attempt=run.runs[index].attempts,
            mask=run.log.masker.mask,
            package=run.release.package_for(step.name),
            render_with=lambda extra: self._renderer(run, index, {**values, **extra}),
            project=run.project.name,
            for_machine=lambda step, machine: self._machine_values(run, index, step, machine),
            connectivity=run.project.connectivity,
        )
        try:
            return await executor(ctx)
        except SeawayError as exc:  # e.g. a template that must not be left unresolved
            return Failed(str(exc))
        except Exception as exc:  # a step's bug must fail that step, not the worker
            return Failed(f"{type(exc).__name__}: {exc}")

    def _machine_values(
        self, run: TaskRun, index: int, step: Step, machine: MachineRun
    ) -> tuple[dict[str, str], StepRenderer]:
        values = step_values(run, index, self.config, machine, step)
        return values, self._renderer(run, index, values)

    def _renderer(self, run: TaskRun, index: int, values: Mapping[str, str]) -> StepRenderer:
        return StepRenderer(values, lambda message: run.log.add(message, "warning", index), self.clock.now())

    def _stage_outcome(self, run: TaskRun, index: int, outcome: StepOutcome, *, canceled: bool) -> None:
        step_run = run.runs[index]
        now = self.clock.now()
        if isinstance(outcome, Waiting):
            run.stage(replace(step_run, state=StepState.WAITING))
            run.log.add(f'Step "{step_run.name}" is waiting: {outcome.reason}', "info", index)
            return
        outputs = {**run.outputs.get(index, {}), **outcome.outputs}
        if canceled:
            run.stage(replace(step_run, state=StepState.CANCELED, finished_at=now, error="canceled"), outputs)
            return
        if isinstance(outcome, Succeeded):
            run.stage(replace(step_run, state=StepState.SUCCEEDED, finished_at=now, error=None), outputs)
            return
        run.stage(replace(step_run, state=StepState.FAILED, finished_at=now, error=outcome.error), outputs)
        run.log.add(f'Step "{step_run.name}" failed: {outcome.error}', "error", index)
        if not run.task.failed_steps:
            run.task = replace(
                run.task,
                failed_steps=True,
                error=outcome.error
                if outcome.error.startswith("Rejected")
                else f'The step "{step_run.name}" failed: {outcome.error}',
                error_detail=outcome.error,
            )

    async def _save_task_flags(self, uow: UnitOfWork, run: TaskRun) -> None:
        if run.task.failed_steps:
            await uow.tasks.save(run.task)

    # -- leaving the worker ------------------------------------------------------------------------

    async def _wait(self, run: TaskRun, waiting: list[tuple[int, Waiting]], lease: Lease, finish: FinishItem) -> bool:
        run.task, _ = transition(run.task, Proposal(TaskState.WAITING), self.clock.now())
        async with self.store.transaction() as uow:
            await lease.hold(uow)
            await uow.tasks.save(run.task)
            await run.write_staged(uow)
            if not any(w.blocks_other_deployments for _, w in waiting):
                await self._release_slot(uow, run)
            await finish(uow)
        return True

    async def _finish(self, run: TaskRun, lease: Lease, finish: FinishItem, *, canceled: bool = False) -> bool:
        if lease.lost:
            return False
        async with self.store.transaction() as uow:
            await lease.hold(uow)
            if not canceled:
                ending = TaskState.FAILED if run.task.failed_steps else TaskState.SUCCESS
                # Ends it unless a cancel was requested since the last heartbeat; then it ends as canceled.
                if await self._end(uow, run, ending, finish, unless_cancel_requested=True):
                    return True
            run.task = replace(run.task, cancel_requested=True)
            await self._end(uow, run, TaskState.CANCELED, finish)
        return True

    async def _end(
        self,
        uow: UnitOfWork,
        run: TaskRun,
        state: TaskState,
        finish: FinishItem,
        *,
        unless_cancel_requested: bool = False,
    ) -> bool:
        """End the task in `state`; False (nothing written) when `unless_cancel_requested` finds a cancel."""
        now = self.clock.now()
        canceled_message = "The deployment was canceled"
        if state is TaskState.CANCELED:
            proposal, message, level = Proposal(TaskState.CANCELED, error=canceled_message), canceled_message, "warning"
        elif state is TaskState.FAILED:
            proposal = Proposal(TaskState.FAILED, error=run.task.error, error_detail=run.task.error_detail)
            message, level = run.task.error or "The deployment failed", "error"
        else:
            proposal, message, level = Proposal(TaskState.SUCCESS), "The deployment succeeded", "info"
        task, _ = transition(run.task, proposal, now)
        if not await uow.tasks.save(task, unless_cancel_requested=unless_cancel_requested):
            return False
        run.task = task
        if state is TaskState.CANCELED:
            for step_run in run.runs:
                if step_run.state not in TERMINAL_STEP_STATES:
                    run.stage(replace(step_run, state=StepState.CANCELED, finished_at=now))
        run.log.add(message, level)
        await run.write_staged(uow)
        await self._release_slot(uow, run)
        for hook in self.on_finished:
            await hook(uow, run)
        await finish(uow)
        self.faults.reached(BEFORE_COMPLETE)
        return True

    async def _release_slot(self, uow: UnitOfWork, run: TaskRun) -> None:
        await uow.tasks.release_slot(run.task.id)
        if run.environment.id is not None:
            project_id, environment_id = run.deployment.project_id, run.environment.id
            # A decided deployment that found the slot taken goes on first: it started before any queued one.
            next_task = await uow.tasks.next_for_slot(project_id, environment_id, exclude=run.task.id)
            if next_task is not None:
                await uow.queue.enqueue(RUN_TASK, run_task_key(next_task), {"task_id": next_task}, self.clock.now())

    def _variables(self, run: TaskRun, index: int) -> dict[str, str]:
        return step_values(run, index, self.config)
