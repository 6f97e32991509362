"""Tasks with their step runs and logs; the per-(project, environment) deployment slot is in task_slots.py."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import sqlalchemy as sa

from seaway.domain.states import TaskState
from seaway.domain.tasks import StepRun, Task
from seaway.errors import NotFound
from seaway.store.base import row_as
from seaway.store.tables import step_runs, task_logs, tasks
from seaway.store.task_slots import DeploymentSlots

# Rows per executemany: large enough that the statement overhead vanishes, small enough to bound the memory
# of the tuples built for it.
LOG_INSERT_BATCH = 5_000
# Rows per INSERT statement: 500 parameters, far below SQLite's (32,766) and PostgreSQL's (65,535) limits.
LOG_ROWS_PER_STATEMENT = 1000


@dataclass(frozen=True, slots=True)  # slots: a task log can hold tens of thousands of lines in memory
class LogLine:
    at: datetime
    level: str
    message: str
    step_index: int | None = None
    id: int | None = None


def _task(row: Any) -> Task:
    return row_as(Task, row)


def _step(row: Any) -> StepRun:
    return row_as(StepRun, row, index=row.idx)


class TaskRepository(DeploymentSlots):
    async def get(self, task_id: int) -> Task:
        row = (await self.conn.execute(_GET, {"b_id": task_id})).first()
        if row is None:
            raise _unknown(task_id)
        return _task(row)

    async def get_many(self, task_ids: Sequence[int]) -> dict[int, Task]:
        """The tasks with these ids, by id, in one statement (a page listing many deployments reads them so,
        its statement count then does not grow with the list); ids that name no task are left out."""
        if not task_ids:
            return {}
        rows = await self.conn.execute(sa.select(tasks).where(tasks.c.id.in_(set(task_ids))))
        return {row.id: _task(row) for row in rows}

    async def get_with_step_runs(self, task_id: int) -> tuple[Task, builtins.list[StepRun]]:
        """The task and its step runs in index order (without their outputs), in one statement."""
        rows = (await self.conn.execute(_GET_WITH_STEP_RUNS, {"b_id": task_id})).all()
        if not rows:
            raise _unknown(task_id)
        runs = [_joined_step(row) for row in rows if row.step_idx is not None]
        return _task(rows[0]), runs

    async def add(self, deployment_id: int, now: datetime) -> Task:
        new_id = await self._insert(
            tasks, {"deployment_id": deployment_id, "state": TaskState.QUEUED.value, "queued_at": now}
        )
        return Task(id=new_id, deployment_id=deployment_id, state=TaskState.QUEUED, queued_at=now)

    async def save(self, task: Task, *, unless_cancel_requested: bool = False) -> bool:
        """Write the task's state; with `unless_cancel_requested`, only when no cancel was asked for meanwhile
        (False then: the caller ends it as canceled instead). One statement either way."""
        stmt = _SAVE_UNLESS_CANCELED if unless_cancel_requested else _SAVE
        result = await self.conn.execute(
            stmt,
            {
                "b_id": task.id,
                "state": task.state.value,
                "started_at": task.started_at,
                "finished_at": task.finished_at,
                "error": task.error,
                "error_detail": task.error_detail,
                "failed_steps": task.failed_steps,
            },
        )
        return bool(result.rowcount == 1)

    async def request_cancel(self, task_id: int) -> None:
        await self.conn.execute(tasks.update().where(tasks.c.id == task_id).values(cancel_requested=True))

    async def cancel_requested(self, task_ids: Sequence[int]) -> set[int]:
        if not task_ids:
            return set()
        stmt = sa.select(tasks.c.id).where(tasks.c.id.in_(task_ids), tasks.c.cancel_requested.is_(True))
        return set((await self.conn.execute(stmt)).scalars())

    async def list(self, *, state: TaskState | None = None, limit: int = 100) -> list[Task]:
        stmt = sa.select(tasks).order_by(tasks.c.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(tasks.c.state == state.value)
        return [_task(r) for r in await self.conn.execute(stmt)]

    # -- step runs ---------------------------------------------------------------------------------

    async def add_step_runs(self, runs: Sequence[StepRun], outputs: Mapping[int, Mapping[str, Any]]) -> None:
        """Insert a task's step runs as they stand (the first group already started), in one statement."""
        if runs:
            rows = [{"task_id": r.task_id, "idx": r.index, **_step_values(r, outputs)} for r in runs]
            await self.conn.execute(step_runs.insert(), rows)

    async def step_runs(self, task_id: int) -> builtins.list[StepRun]:
        return (await self.step_runs_and_outputs(task_id))[0]

    async def step_runs_and_outputs(self, task_id: int) -> tuple[builtins.list[StepRun], dict[int, dict[str, Any]]]:
        rows = (await self.conn.execute(_STEP_RUNS, {"b_task_id": task_id})).all()
        return [_step(r) for r in rows], {r.idx: dict(r.outputs) for r in rows}

    async def save_step_runs(self, runs: Sequence[StepRun], outputs: Mapping[int, Mapping[str, Any]]) -> None:
        """Write the changed step runs of one task in one statement (a group's transitions share a commit)."""
        if runs:
            rows = [{"b_task_id": r.task_id, "b_idx": r.index, **_step_values(r, outputs)} for r in runs]
            await self.conn.execute(_SAVE_STEP_RUN, rows)

    # -- logs --------------------------------------------------------------------------------------

    async def append_log(self, task_id: int, lines: Iterable[LogLine]) -> None:
        """Insert the lines in order: `LOG_ROWS_PER_STATEMENT` rows per INSERT, up to `LOG_INSERT_BATCH` rows
        per driver-level executemany.

        A log of a million lines spends more time in SQLAlchemy's per-row dictionaries and type processing,
        and in the driver's per-statement work, than in the database. So the rows go to the driver as flat
        tuples, their times converted by the column type's own bind processor (the stored values are the
        same as through `task_logs.insert()`); a multi-row VALUES keeps the rows' order in their ids."""
        many, one, stored_at = _log_inserts(self.conn.dialect)
        rows: builtins.list[tuple[Any, ...]] = []
        for ln in lines:
            rows.append((task_id, ln.step_index, stored_at(ln.at), ln.level, ln.message))
            if len(rows) >= LOG_INSERT_BATCH:
                await self._insert_log_rows(many, one, rows)
                rows = []
        if rows:
            await self._insert_log_rows(many, one, rows)

    async def _insert_log_rows(self, many: str, one: str, rows: builtins.list[tuple[Any, ...]]) -> None:
        whole = len(rows) - len(rows) % LOG_ROWS_PER_STATEMENT
        if whole:
            await self.conn.exec_driver_sql(
                many,
                [
                    tuple(chain.from_iterable(rows[first : first + LOG_ROWS_PER_STATEMENT]))
                    for first in range(0, whole, LOG_ROWS_PER_STATEMENT)
                ],
            )
        if whole < len(rows):
            await self.conn.exec_driver_sql(one, rows[whole:])

    async def log(self, task_id: int, *, after_id: int = 0, limit: int = 10_000) -> builtins.list[LogLine]:
        stmt = (
            sa.select(task_logs)
            .where(task_logs.c.task_id == task_id, task_logs.c.id > after_id)
            .order_by(task_logs.c.id)
            .limit(limit)
        )
        return [_log_line(r) for r in await self.conn.execute(stmt)]

    async def log_tail(
        self, task_id: int, limit: int, *, before_id: int | None = None
    ) -> tuple[builtins.list[LogLine], int]:
        """The last `limit` lines of a task's log (of those before the line `before_id`), oldest first, and how
        many lines it has in all (before that line)."""
        where = [task_logs.c.task_id == task_id]
        if before_id is not None:
            where.append(task_logs.c.id < before_id)
        stmt = sa.select(task_logs).where(*where).order_by(task_logs.c.id.desc()).limit(limit)
        lines = [_log_line(r) for r in await self.conn.execute(stmt)]
        total = (await self.conn.execute(sa.select(sa.func.count()).select_from(task_logs).where(*where))).scalar_one()
        return lines[::-1], int(total)


def _unknown(task_id: int) -> NotFound:
    return NotFound(f"task {task_id} does not exist", entity="task", id=str(task_id))


def _joined_step(row: Any) -> StepRun:
    """A step run from a row of its task joined with its `step_`-labelled columns."""
    return row_as(StepRun, row, prefix="step_", task_id=row.id, index=row.step_idx)


def _step_values(run: StepRun, outputs: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "name": run.name,
        "state": run.state.value,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
        "skip_reason": run.skip_reason,
        "attempts": run.attempts,
        "outputs": dict(outputs.get(run.index, {})),
    }


# Built once: the engine runs these for every step of every deployment, and a statement that is built anew
# each time costs more than executing it (its compiled form is cached by the statement's identity).
_TASK_VALUES: dict[str, Any] = {
    name: sa.bindparam(name) for name in ("state", "started_at", "finished_at", "error", "error_detail", "failed_steps")
}
_SAVE = tasks.update().where(tasks.c.id == sa.bindparam("b_id")).values(**_TASK_VALUES)
_SAVE_UNLESS_CANCELED = (
    tasks.update().where(tasks.c.id == sa.bindparam("b_id"), tasks.c.cancel_requested.is_(False)).values(**_TASK_VALUES)
)
# Reads: `GET /tasks/{id}` runs these on every request.
_GET = sa.select(tasks).where(tasks.c.id == sa.bindparam("b_id"))
_JOINED_STEP_COLUMNS = ("idx", "name", "state", "started_at", "finished_at", "error", "skip_reason", "attempts")
_GET_WITH_STEP_RUNS = (
    sa.select(tasks, *(step_runs.c[name].label(f"step_{name}") for name in _JOINED_STEP_COLUMNS))
    .select_from(tasks.outerjoin(step_runs, step_runs.c.task_id == tasks.c.id))
    .where(tasks.c.id == sa.bindparam("b_id"))
    .order_by(step_runs.c.idx)
)
_STEP_RUNS = sa.select(step_runs).where(step_runs.c.task_id == sa.bindparam("b_task_id")).order_by(step_runs.c.idx)
_SAVE_STEP_RUN = (
    step_runs.update()
    .where(step_runs.c.task_id == sa.bindparam("b_task_id"), step_runs.c.idx == sa.bindparam("b_idx"))
    .values(
        **{
            name: sa.bindparam(name)
            for name in ("name", "state", "started_at", "finished_at", "error", "skip_reason", "attempts", "outputs")
        }
    )
)
_LOG_COLUMNS = ("task_id", "step_index", "at", "level", "message")
_log_insert_cache: dict[str, tuple[str, str, Callable[[datetime], Any]]] = {}


def _log_inserts(dialect: sa.Dialect) -> tuple[str, str, Callable[[datetime], Any]]:
    """The INSERTs of `LOG_ROWS_PER_STATEMENT` log rows and of one, in this dialect's own parameter style,
    and how `at` is stored there."""
    key = f"{dialect.name}:{dialect.paramstyle}"
    if key not in _log_insert_cache:
        # dialect_impl: the bind processor of the dialect's own DateTime (SQLite stores a string of its own format).
        processor = task_logs.c.at.type.dialect_impl(dialect).bind_processor(dialect)
        _log_insert_cache[key] = (
            _log_insert(dialect, LOG_ROWS_PER_STATEMENT),
            _log_insert(dialect, 1),
            _by_the_second(processor) if processor is not None else (lambda value: value),
        )
    return _log_insert_cache[key]


_SAMPLE_TIMES = (
    datetime(2026, 11, 22, 10, 15, 2, 731_000, tzinfo=UTC),
    datetime(2026, 11, 22, 10, 15, 2, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
)


def _by_the_second(stored: Callable[[datetime], Any]) -> Callable[[datetime], Any]:
    """`stored`, with its text for UTC times made once per second of time.

    SQLite's DateTime formats every time through a dictionary, about 2 µs a line: a quarter of all the work
    for a log of a million lines, nearly all of whose lines share their second with hundreds of others.
    Used only where it gives the very text `stored` gives (checked on sample times): else `stored` itself."""
    if not all(isinstance(text := stored(at), str) and text.endswith(f".{at.microsecond:06d}") for at in _SAMPLE_TIMES):
        return stored
    seconds: dict[tuple[int, ...], str] = {}

    def by_the_second(at: datetime) -> Any:
        if at.tzinfo is not UTC:
            return stored(at)
        second = (at.year, at.month, at.day, at.hour, at.minute, at.second)
        start = seconds.get(second)
        if start is None:
            if len(seconds) >= 1_000:  # a log spans many seconds; only the latest are worth keeping
                seconds.clear()
            start = seconds[second] = str(stored(at.replace(microsecond=0)))[:-6]
        return f"{start}{at.microsecond:06d}"

    if all(by_the_second(at) == stored(at) for at in _SAMPLE_TIMES):
        return by_the_second
    return stored


def _log_insert(dialect: sa.Dialect, rows: int) -> str:
    names = [[f"{column}_{row}" for column in _LOG_COLUMNS] for row in range(rows)]
    statement = task_logs.insert().values(
        [
            {c: sa.bindparam(n, type_=task_logs.c[c].type) for c, n in zip(_LOG_COLUMNS, row, strict=True)}
            for row in names
        ]
    )
    compiled = statement.compile(dialect=dialect)
    # The driver gets positional rows: the placeholders must be in the order of the tuples built for them.
    assert list(compiled.positiontup or ()) == list(chain.from_iterable(names)), compiled.positiontup
    return str(compiled)


def _log_line(row: Any) -> LogLine:
    return LogLine(row.at, row.level, row.message, row.step_index, row.id)
