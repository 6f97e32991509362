"""A step that does nothing and succeeds: for benchmarks and placeholders in a process."""

from __future__ import annotations

from seaway.steps.base import StepContext, StepOutcome, Succeeded


async def run_noop(ctx: StepContext) -> StepOutcome:
    return Succeeded()
