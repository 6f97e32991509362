"""A task's log, buffered in memory, masked, and written to the store in batches (never per line)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from seaway.domain.masking import Masker
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import UnitOfWork


class TaskLog:
    def __init__(self, task_id: int, masker: Masker, now: Callable[[], datetime]) -> None:
        self.task_id = task_id
        self.masker = masker
        self._now = now
        self._pending: list[LogLine] = []

    def add(self, message: str, level: str = "info", step_index: int | None = None) -> None:
        self._pending.append(LogLine(self._now(), level, self.masker.mask(message), step_index))

    def for_step(self, step_index: int) -> StepLogWriter:
        return StepLogWriter(self, step_index)

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    async def flush(self, uow: UnitOfWork) -> None:
        if self._pending:
            lines, self._pending = self._pending, []
            await uow.tasks.append_log(self.task_id, lines)


class StepLogWriter:
    def __init__(self, log: TaskLog, step_index: int) -> None:
        self._log = log
        self._step_index = step_index

    async def write(self, message: str, level: str = "info") -> None:
        self._log.add(message, level, self._step_index)
