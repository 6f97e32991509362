"""Server tasks: the running form of a deployment, and their step runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seaway.domain.states import StepState, TaskState


@dataclass(frozen=True)
class Task:
    id: int
    deployment_id: int
    state: TaskState
    queued_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    error_detail: str | None = None
    cancel_requested: bool = False
    failed_steps: bool = False  # an earlier step failed: later `success` steps are skipped


@dataclass(frozen=True)
class StepRun:
    task_id: int
    index: int
    name: str
    state: StepState = StepState.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    skip_reason: str | None = None
    attempts: int = 0
