"""A rolling step (`rolling: {window: N}` with child steps): its children run as a unit on each of its
targets, one after another there, on at most `window` targets at once, started in name order. A failure
stops the rolling: no target starts after it, and the step fails naming the target.

A child runs with the executor of its type on that target (`on_machine`), its variables as the target sees
them, scoped to the child's name. Outputs are kept under the rolling step, indexed by target, each child's
also under its own name (`Octopus.Action[Web].Output[web-01].Drain.X`).
"""

from __future__ import annotations

from collections.abc import Mapping

from seaway.domain.process import StepType, rolling_window
from seaway.steps.base import Failed, StepContext, StepExecutor, StepOutcome, Succeeded, Waiting
from seaway.steps.on_targets import Machine, Machines, OnMachine, Targets, each_target, run_on_machine


def make_rolling_step(machines: Machines, on_machine: Mapping[StepType, OnMachine]) -> StepExecutor:
    async def run(ctx: StepContext) -> StepOutcome:
        async def on_one(machine: Machine, targets: Targets) -> StepOutcome:
            return await _children_on(ctx, on_machine, machine, targets)

        return await each_target(ctx, machines, on_one, rolling_window(ctx.step), stop_on_failure=True)

    return run


async def _children_on(
    ctx: StepContext, on_machine: Mapping[StepType, OnMachine], machine: Machine, targets: Targets
) -> StepOutcome:
    outputs: dict[str, str] = {}
    for number, child in enumerate(ctx.step.children, start=1):
        if not child.enabled or not child.environments.allows(ctx.environment):
            continue
        make = on_machine.get(child.type)
        if make is None:
            return Failed(f'{child.name}: a "{child.type}" step cannot run on targets on this server', outputs)
        await ctx.log.write(f"[{machine.target.name}] -- {child.name}")
        outcome = await run_on_machine(
            ctx, child, make(machine.transport), machine, targets, workdir_name=f"child-{number}"
        )
        if isinstance(outcome, Waiting):
            return Failed(f"{child.name}: a child step cannot wait for a decision", outputs)
        for key, value in outcome.outputs.items():
            outputs[f"{child.name}.{key}"] = value
            outputs[key] = value
        if isinstance(outcome, Failed):
            return type(outcome)(f"{child.name}: {outcome.error}", outputs)
    return Succeeded(outputs)
