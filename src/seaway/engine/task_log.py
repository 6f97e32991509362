"""A task's log, buffered in memory, masked, and written to the store in batches (never per line).

The buffer is bounded. Whoever flushes the log (the orchestrator, about once a second while steps run)
should also flush as soon as `flush_wanted` is set: it is set once the buffer holds `flush_at_lines`
lines or `flush_at_chars` characters, so a step that prints fast is written in batches of that size
instead of in one batch per second. A step's writer that finds the buffer full (`max_lines` lines or
`max_chars` characters) waits until the next flush has taken the lines, so a step that prints faster than
the database takes lines is slowed down to the database's pace instead of filling the server's memory.
The engine's own lines (`add`) never wait: there are few of them, and they are added where waiting is
not possible.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from seaway.domain.masking import Masker
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import UnitOfWork

FLUSH_AT_LINES = 5_000
FLUSH_AT_CHARS = 1 << 20
# A full buffer plus the batch being written stay well under the memory a server may spend on one task.
MAX_LINES = 50_000
MAX_CHARS = 8 << 20


class TaskLog:
    def __init__(
        self,
        task_id: int,
        masker: Masker,
        now: Callable[[], datetime],
        *,
        flush_at_lines: int | None = None,
        flush_at_chars: int | None = None,
        max_lines: int | None = None,
        max_chars: int | None = None,
    ) -> None:
        # The module's limits are read here, not bound as defaults, so that they can be tuned in one place.
        flush_at_lines = flush_at_lines or FLUSH_AT_LINES
        flush_at_chars = flush_at_chars or FLUSH_AT_CHARS
        max_lines = max_lines or MAX_LINES
        max_chars = max_chars or MAX_CHARS
        if not 0 < flush_at_lines <= max_lines or not 0 < flush_at_chars <= max_chars:
            raise ValueError("a task log must be worth flushing before it is full")
        self.task_id = task_id
        self.masker = masker
        self._now = now
        self._pending: list[LogLine] = []
        self._pending_chars = 0
        self._flush_at = (flush_at_lines, flush_at_chars)
        self._max = (max_lines, max_chars)
        # Set when the buffer should be written now rather than at the next tick of the flusher.
        self.flush_wanted = asyncio.Event()
        # Set while a step's writer may add lines; cleared while the buffer is full.
        self._room = asyncio.Event()
        self._room.set()

    def add(self, message: str, level: str = "info", step_index: int | None = None) -> None:
        masked = self.masker.mask(message)
        self._pending.append(LogLine(self._now(), level, masked, step_index))
        self._pending_chars += len(masked)
        lines, chars = len(self._pending), self._pending_chars
        if lines >= self._flush_at[0] or chars >= self._flush_at[1]:
            self.flush_wanted.set()
            if lines >= self._max[0] or chars >= self._max[1]:
                self._room.clear()

    async def room(self) -> None:
        """Returns once the buffer has room for more lines (at once while it has)."""
        while not self._room.is_set():
            await self._room.wait()

    def for_step(self, step_index: int) -> StepLogWriter:
        return StepLogWriter(self, step_index)

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    @property
    def pending_lines(self) -> int:
        return len(self._pending)

    async def flush(self, uow: UnitOfWork) -> None:
        if self._pending:
            lines, self._pending, self._pending_chars = self._pending, [], 0
            self.flush_wanted.clear()
            self._room.set()  # writers fill the next batch while this one is written
            await uow.tasks.append_log(self.task_id, lines)


class StepLogWriter:
    def __init__(self, log: TaskLog, step_index: int) -> None:
        self._log = log
        self._step_index = step_index

    async def write(self, message: str, level: str = "info") -> None:
        log = self._log
        if not log._room.is_set():  # checked here: one coroutine less per line of a step printing millions
            await log.room()
        log.add(message, level, self._step_index)
