"""What a step executor gets and returns. One module per step type implements `StepExecutor`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from seaway.domain.packages import PackageReference
from seaway.domain.process import Step
from seaway.domain.system_variables import MachineRun
from seaway.domain.targeting import Connectivity
from seaway.notify.base import Email
from seaway.store.unit_of_work import UnitOfWork


class StepLog(Protocol):
    async def write(self, message: str, level: str = "info") -> None: ...


class QueueEmail(Protocol):
    """`engine.mail.queue_email`, handed in by the composition root (steps sit below the engine)."""

    async def __call__(self, uow: UnitOfWork, email: Email, key: str, *, now: datetime) -> int | None: ...


class Render(Protocol):
    def __call__(self, template: str, field: str = "template") -> str:
        """`template` with this step's variables substituted; `field` names it in an error."""
        ...


class MachineScope(Protocol):
    def __call__(self, step: Step, machine: MachineRun) -> tuple[Mapping[str, str], Render]:
        """The variables of `step` as `machine.target` sees them (values scoped to the target or its roles,
        its machine variables) and a renderer over them."""
        ...


@dataclass
class StepContext:
    task_id: int
    step_index: int
    step: Step
    environment: str
    variables: Mapping[str, str]
    render: Render
    log: StepLog
    workdir: Path
    cancel: asyncio.Event
    now: Callable[[], datetime]
    attempt: int = 1
    mask: Callable[[str], str] = str  # hides sensitive values in text that leaves the log (emails)
    package: PackageReference | None = None  # the release's package for a deploy-package step
    render_with: Callable[[Mapping[str, str]], Render] | None = None  # a renderer seeing these variables too
    machine: str | None = None  # the target's name when the step runs on targets
    for_machine: MachineScope | None = None  # per-target variables; None: the step's own plus machine variables
    connectivity: Connectivity = field(default_factory=Connectivity)  # which targets may be left out
    project: str = ""


@dataclass(frozen=True)
class Succeeded:
    outputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    error: str
    outputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Waiting:
    """The step waits for something outside the worker (a person's decision); the task releases its lease."""

    reason: str
    blocks_other_deployments: bool = False


StepOutcome = Succeeded | Failed | Waiting


class StepExecutor(Protocol):
    def __call__(self, ctx: StepContext) -> Awaitable[StepOutcome]: ...
