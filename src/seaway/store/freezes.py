"""Freezes (matched by name like every named resource), their per-deployment overrides, and the holds that
keep a queued deployment from starting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.freezes import Freeze
from seaway.domain.states import TaskState
from seaway.store.base import NamedRepository, row_as, values_of
from seaway.store.dialects import insert_on_conflict_update
from seaway.store.freeze_tables import freeze_overrides as o
from seaway.store.freeze_tables import freezes as t
from seaway.store.freeze_tables import start_holds as h
from seaway.store.tables import tasks


@dataclass(frozen=True)
class FreezeOverride:
    deployment_id: int
    user_id: int | None
    reason: str
    freezes: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class StartHold:
    task_id: int
    message: str = ""  # empty: nothing holds it now
    until: datetime | None = None
    window_closes_at: datetime | None = None


class FreezeRepository(NamedRepository[Freeze]):
    table, entity = t, "freeze"

    def _record(self, row: Any) -> Freeze:
        return row_as(Freeze, row, start=row.starts_at, end=row.ends_at)

    def _values(self, freeze: Freeze) -> dict[str, Any]:
        return values_of(freeze, t, name_key=freeze.name.lower(), starts_at=freeze.start, ends_at=freeze.end)

    # -- overrides -------------------------------------------------------------------------------

    async def override_of(self, deployment_id: int) -> FreezeOverride | None:
        row = (await self.conn.execute(sa.select(o).where(o.c.deployment_id == deployment_id))).first()
        return row_as(FreezeOverride, row) if row else None

    async def add_override(self, override: FreezeOverride) -> None:
        values = values_of(override, o)
        update = {k: v for k, v in values.items() if k != "deployment_id"}
        await self.conn.execute(insert_on_conflict_update(self.conn, o, ["deployment_id"], values, update))

    # -- what holds a queued task ----------------------------------------------------------------

    async def hold_of(self, task_id: int) -> StartHold:
        """What holds the task back; a task no longer queued (started, canceled) is held by nothing."""
        stmt = sa.select(h, tasks.c.state).join(tasks, tasks.c.id == h.c.task_id).where(h.c.task_id == task_id)
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return StartHold(task_id)
        message = row.message if row.state == TaskState.QUEUED.value else ""
        return row_as(StartHold, row, message=message)

    async def save_hold(self, hold: StartHold) -> None:
        values = values_of(hold, h)
        update = {k: v for k, v in values.items() if k != "task_id"}
        await self.conn.execute(insert_on_conflict_update(self.conn, h, ["task_id"], values, update))


# For the slot queries: the task of `tasks.id` waits for a change window or a freeze's end, not for the slot.
WAITING_TO_START = sa.exists(sa.select(h.c.task_id).where(h.c.task_id == tasks.c.id, h.c.message != ""))
