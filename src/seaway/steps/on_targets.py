"""A step with `run_on: targets` runs on every enabled target of the deployment's environment that has any
of its `roles`, in parallel (at most `max_parallelism` at once, in name order), each target's log lines
marked with its name. The step succeeds when it succeeded on every target.

Each target's output variables are kept indexed by its name (`Octopus.Action[S].Output[web-01].X`) and,
unindexed, as the last target's (in name order), as Octopus does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from seaway.domain.system_variables import machine_variables
from seaway.domain.targets import DeploymentTarget
from seaway.steps.base import Failed, StepContext, StepExecutor, StepLog, StepOutcome, Succeeded, Waiting
from seaway.targets.base import Target

DEFAULT_MAX_PARALLELISM = 10


@dataclass(frozen=True)
class Machine:
    target: DeploymentTarget
    transport: Target


class Machines(Protocol):
    async def matching(self, environment: str, roles: Sequence[str]) -> list[Machine]:
        """Enabled targets in `environment` with any of `roles`, in name order, ready to run commands."""
        ...

    async def release(self, machines: Sequence[Machine]) -> None:
        """Close what `matching` opened."""
        ...


class MachineLog:
    """A step's log with every line marked with the target it came from."""

    def __init__(self, log: StepLog, name: str) -> None:
        self.log, self.prefix = log, f"[{name}] "

    async def write(self, message: str, level: str = "info") -> None:
        await self.log.write(self.prefix + message, level)


def on_targets(
    on_server: StepExecutor,
    on_machine: Callable[[Target], StepExecutor],
    machines: Machines,
    *,
    max_parallelism: int = DEFAULT_MAX_PARALLELISM,
) -> StepExecutor:
    """`on_server` for `run_on: server`; else `on_machine(transport)` once per matching target."""

    async def run(ctx: StepContext) -> StepOutcome:
        if str(ctx.step.prop("run_on", "server")) != "targets":
            return await on_server(ctx)
        roles = tuple(str(r) for r in ctx.step.prop("roles", ()) or ())
        found = await machines.matching(ctx.environment, roles)
        if not found:
            wanted = ", ".join(roles) or "(no roles given)"
            return Failed(f"no enabled target in {ctx.environment} has any of the roles {wanted}")
        try:
            return await _fan_out(ctx, found, on_machine, max_parallelism)
        finally:
            await machines.release(found)

    return run


async def _fan_out(
    ctx: StepContext, found: Sequence[Machine], on_machine: Callable[[Target], StepExecutor], limit: int
) -> StepOutcome:
    gate = asyncio.Semaphore(max(1, limit))
    names = ",".join(m.target.name for m in found)
    await ctx.log.write(f"Running on {len(found)} target(s): {names}")

    async def one(machine: Machine) -> StepOutcome:
        async with gate:
            extra = machine_variables(machine.target, [m.target for m in found])
            machine_ctx = replace(
                ctx,
                log=MachineLog(ctx.log, machine.target.name),
                variables={**ctx.variables, **extra},
                render=ctx.render_with(extra) if ctx.render_with else ctx.render,
                workdir=ctx.workdir / machine.target.name,
                machine=machine.target.name,
            )
            try:
                return await on_machine(machine.transport)(machine_ctx)
            except Exception as exc:  # one target's failure is that target's, reported with its name
                return Failed(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))

    outcomes = await asyncio.gather(*(one(m) for m in found))
    return merge_outcomes([m.target.name for m in found], outcomes)


def merge_outcomes(names: Sequence[str], outcomes: Sequence[StepOutcome]) -> StepOutcome:
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
    if failures:
        return Failed(f"failed on {len(failures)} of {len(names)} target(s): " + "; ".join(failures), outputs)
    return Succeeded(outputs)
