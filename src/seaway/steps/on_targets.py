"""A step with `run_on: targets` runs on every enabled target of the deployment's environment that has any
of its `roles`, in parallel (at most `max_parallelism` at once, in name order), each target's log lines
under a heading of their own and marked with its name. The step succeeds when it succeeded on every target.

Which of the matching targets it runs on follows the project's connectivity settings
(`domain.targeting`): targets left out are logged and named in `Octopus.Deployment.ExcludedMachines`, and
with `skip_unavailable` a target found unreachable while the step runs there is left out the same way.
One deployment runs on a target at a time: the step holds the target's lock (`Machines.lock`) while it runs
there, and a deployment that finds it held waits, saying for whom.

Each target's output variables are kept indexed by its name (`Octopus.Action[S].Output[web-01].X`) and,
unindexed, as the last target's (in name order), as Octopus does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Protocol

from seaway.domain.process import MAX_PARALLELISM, Step
from seaway.domain.system_variables import EXCLUDED_MACHINES, MachineRun, machine_variables
from seaway.domain.targeting import Exclusion, select_targets
from seaway.domain.targets import DeploymentTarget
from seaway.errors import TargetError
from seaway.steps.base import Failed, StepContext, StepExecutor, StepLog, StepOutcome, Succeeded, Waiting
from seaway.targets.base import Target

DEFAULT_MAX_PARALLELISM = 10
OnMachine = Callable[[Target], StepExecutor]


@dataclass(frozen=True)
class Machine:
    target: DeploymentTarget
    transport: Target
    may_be_offline: bool = False  # its machine policy lets a deployment skip it while it is Unavailable


class Machines(Protocol):
    async def matching(self, environment: str, roles: Sequence[str]) -> list[Machine]:
        """Enabled targets in `environment` with any of `roles`, in name order, ready to run commands."""
        ...

    async def release(self, machines: Sequence[Machine]) -> None:
        """Close what `matching` opened."""
        ...

    def lock(
        self, task_id: int, target: DeploymentTarget, log: StepLog, cancel: asyncio.Event
    ) -> AbstractAsyncContextManager[None]:
        """Hold `target` for the task while the block runs, waiting (and saying for whom) while another has it."""
        ...


RunOne = Callable[[Machine, "Targets"], Awaitable[StepOutcome]]


class MachineLog:
    """A step's log with every line marked with the target it came from."""

    def __init__(self, log: StepLog, name: str) -> None:
        self.log, self.prefix = log, f"[{name}] "

    async def write(self, message: str, level: str = "info") -> None:
        await self.log.write(self.prefix + message, level)


class Unreachable(Failed):
    """The target could not be reached (or was lost) while the step ran there."""


@dataclass(frozen=True)
class Targets:
    """What one step runs on: the targets chosen, in name order, and those the deployment left out."""

    machines: tuple[Machine, ...]
    excluded: tuple[Exclusion, ...] = ()

    @property
    def names(self) -> list[str]:
        return [m.target.name for m in self.machines]


async def choose_targets(ctx: StepContext, found: Sequence[Machine]) -> Targets | StepOutcome:
    """The targets the step runs on, or the outcome of a step with nowhere to run."""
    roles = ", ".join(str(r) for r in ctx.step.prop("roles", ()) or ()) or "(no roles given)"
    offline = {m.target.name for m in found if m.may_be_offline}
    selection = select_targets([m.target for m in found], ctx.connectivity, offline)
    if selection.refused:
        reasons = "; ".join(f"{e.name}: {e.reason}" for e in selection.refused)
        return Failed(f"{reasons}; the project does not exclude unhealthy targets (connectivity.exclude_unhealthy)")
    for exclusion in selection.excluded:
        await ctx.log.write(f"Excluding {exclusion.name}: {exclusion.reason}", "warning")
    chosen = tuple(m for m in found if m.target in selection.run)
    if chosen:
        return Targets(chosen, selection.excluded)
    where = f"no enabled target in {ctx.environment} has any of the roles {roles}"
    if selection.excluded:
        where = f"every target in {ctx.environment} with the roles {roles} was excluded"
    if ctx.connectivity.allow_no_targets:
        await ctx.log.write(f"{where}; the project allows deployments to no targets, so the step does nothing")
        return Succeeded()
    return Failed(where)


async def run_on_machine(
    ctx: StepContext,
    step: Step,
    executor: StepExecutor,
    machine: Machine,
    targets: Targets,
    *,
    workdir_name: str | None = None,
) -> StepOutcome:
    """`step` run by `executor` on one target: its variables as that target sees them, its own work directory
    and its lines marked with its name. A target found unreachable is `Unreachable`."""
    target = machine.target
    run = MachineRun(target, [m.target for m in targets.machines], [e.name for e in targets.excluded])
    if ctx.for_machine is not None:
        variables, render = ctx.for_machine(step, run)
    else:
        variables = {**ctx.variables, **machine_variables(run.target, run.in_step, run.excluded)}
        render = ctx.render_with(variables) if ctx.render_with else ctx.render
    machine_ctx = replace(
        ctx,
        step=step,
        log=MachineLog(ctx.log, target.name),
        variables=variables,
        render=render,
        workdir=ctx.workdir / target.name / (workdir_name or ""),
        machine=target.name,
    )
    try:
        return await executor(machine_ctx)
    except TargetError as exc:
        return Unreachable(exc.message) if exc.retryable else Failed(exc.message)
    except Exception as exc:  # one target's failure is that target's, reported with its name
        return Failed(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))


def on_targets(
    on_server: StepExecutor,
    on_machine: OnMachine,
    machines: Machines,
    *,
    max_parallelism: int = DEFAULT_MAX_PARALLELISM,
) -> StepExecutor:
    """`on_server` for `run_on: server`; else `on_machine(transport)` once per matching target."""

    async def run(ctx: StepContext) -> StepOutcome:
        if str(ctx.step.prop("run_on", "server")) != "targets":
            return await on_server(ctx)
        limit = int(ctx.step.prop("max_parallelism", max_parallelism))
        return await each_target(ctx, machines, lambda m, t: _one_step(ctx, on_machine, m, t), limit)

    return run


async def _one_step(ctx: StepContext, on_machine: OnMachine, machine: Machine, targets: Targets) -> StepOutcome:
    return await run_on_machine(ctx, ctx.step, on_machine(machine.transport), machine, targets)


async def each_target(
    ctx: StepContext,
    machines: Machines,
    run_one: RunOne,
    limit: int,
    *,
    stop_on_failure: bool = False,
) -> StepOutcome:
    """`run_one` on each chosen target, at most `limit` at once, started in name order, each holding its
    target's lock; with `stop_on_failure` no target starts after one has failed (a rolling step)."""
    roles = tuple(str(r) for r in ctx.step.prop("roles", ()) or ())
    found = await machines.matching(ctx.environment, roles)
    try:
        chosen = await choose_targets(ctx, found)
        if not isinstance(chosen, Targets):
            return chosen
        await ctx.log.write(f"Running on {len(chosen.machines)} target(s): {','.join(chosen.names)}")
        return await _fan_out(ctx, machines, chosen, run_one, max(1, min(limit, MAX_PARALLELISM)), stop_on_failure)
    finally:
        await machines.release(found)


async def _fan_out(
    ctx: StepContext,
    machines: Machines,
    targets: Targets,
    run_one: RunOne,
    limit: int,
    stop_on_failure: bool,
) -> StepOutcome:
    gate = asyncio.Semaphore(limit)
    failed = asyncio.Event()
    outcomes: dict[str, StepOutcome] = {}

    async def locked(machine: Machine) -> StepOutcome:
        log = MachineLog(ctx.log, machine.target.name)
        try:
            async with machines.lock(ctx.task_id, machine.target, log, ctx.cancel):
                await ctx.log.write(f"== {ctx.step.name} on {machine.target.name} ==")
                return await run_one(machine, targets)
        except Exception as exc:  # the lock itself (canceled while waiting, the database away)
            return Failed(str(exc) or type(exc).__name__)

    async def one(machine: Machine) -> None:
        try:
            outcome = outcomes[machine.target.name] = await locked(machine)
            if isinstance(outcome, Failed) and not _skippable(ctx, outcome):
                failed.set()  # before the slot is given back, so a rolling step starts no other target
        finally:
            gate.release()

    started: list[asyncio.Task[None]] = []
    not_started: list[str] = []
    for machine in targets.machines:
        await gate.acquire()
        if stop_on_failure and failed.is_set():
            gate.release()
            not_started.append(machine.target.name)
            continue
        started.append(asyncio.create_task(one(machine)))
    try:
        await asyncio.gather(*started)
    finally:
        for task in started:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    if not_started:
        await ctx.log.write(f"Stopped rolling after a failure; not started on: {', '.join(not_started)}", "warning")
    return await _merged(ctx, targets, outcomes, not_started)


def _skippable(ctx: StepContext, outcome: StepOutcome) -> bool:
    return isinstance(outcome, Unreachable) and ctx.connectivity.skip_unavailable


async def _merged(
    ctx: StepContext, targets: Targets, outcomes: dict[str, StepOutcome], not_started: Sequence[str]
) -> StepOutcome:
    names, results = [], []
    excluded = [e.name for e in targets.excluded]
    for name in targets.names:
        outcome = outcomes.get(name)
        if outcome is None:
            continue
        if _skippable(ctx, outcome):
            assert isinstance(outcome, Failed)
            await ctx.log.write(f"Excluding {name}: it became unavailable ({outcome.error})", "warning")
            excluded.append(name)
            continue
        names.append(name)
        results.append(outcome)
    merged = merge_outcomes(names, results, of=len(names) + len(not_started))
    if not excluded or isinstance(merged, Waiting):
        return merged
    # Kept with the step's outputs, so the steps after it see the deployment's exclusions too.
    return replace(merged, outputs={**merged.outputs, EXCLUDED_MACHINES: ",".join(sorted(excluded))})


def merge_outcomes(names: Sequence[str], outcomes: Sequence[StepOutcome], *, of: int | None = None) -> StepOutcome:
    outputs: dict[str, str] = {}
    failures = []
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, Waiting):
            failures.append(f"{name}: a step on targets cannot wait for a decision")
            continue
        for key, value in outcome.outputs.items():
            outputs[f"[{name}].{key}"] = value
            outputs[key] = value  # the last target, in name order, wins the unindexed name
        if isinstance(outcome, Failed):
            failures.append(f"{name}: {outcome.error}")
    total = len(names) if of is None else of
    if failures:
        return Failed(f"failed on {len(failures)} of {total} target(s): " + "; ".join(failures), outputs)
    return Succeeded(outputs)
