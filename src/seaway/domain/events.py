"""Domain events: facts the engine persists and notifies about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seaway.domain.states import TaskState


@dataclass(frozen=True)
class DomainEvent:
    pass


@dataclass(frozen=True)
class TaskStateChanged(DomainEvent):
    task_id: int
    from_state: TaskState
    to_state: TaskState
    at: datetime
