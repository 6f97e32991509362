"""The per-target lock: which task runs on a target now. A holder whose `run-task` work item is gone or whose
lease has expired (its node died mid-step) no longer holds it, and the next task to ask takes it over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from seaway.store.base import Repository
from seaway.store.dialects import insert_ignoring_conflict
from seaway.store.tables import work_items
from seaway.store.target_tables import target_locks as t


@dataclass(frozen=True)
class Holder:
    task_id: int
    taken_at: datetime


def _work_item_key(task_id: int) -> str:
    return f"run-task:{task_id}"  # engine.orchestrator.run_task_key, which the store may not import


class TargetLockRepository(Repository):
    async def take(self, target_id: int, task_id: int, now: datetime) -> Holder | None:
        """None when `task_id` now holds the target (or already did); else who holds it."""
        insert = insert_ignoring_conflict(self.conn, t, ["target_id"]).values(
            target_id=target_id, task_id=task_id, taken_at=now
        )
        holder_of = sa.select(t.c.task_id, t.c.taken_at).where(t.c.target_id == target_id)
        for _ in range(2):  # on PostgreSQL the holder may release it between our insert and the look-up
            if (await self.conn.execute(insert)).rowcount == 1:
                return None
            row = (await self.conn.execute(holder_of)).first()
            if row is None:
                continue
            if row.task_id == task_id:
                return None
            if not await self._alive(row.task_id, now):
                taken = await self.conn.execute(
                    t.update()
                    .where(t.c.target_id == target_id, t.c.task_id == row.task_id)
                    .values(task_id=task_id, taken_at=now)
                )
                if taken.rowcount == 1:
                    return None
            return Holder(row.task_id, row.taken_at)
        return Holder(0, now)  # it changed hands twice while we asked: a busy target; ask again later

    async def _alive(self, task_id: int, now: datetime) -> bool:
        lease = sa.select(work_items.c.lease_until).where(work_items.c.key == _work_item_key(task_id))
        until = (await self.conn.execute(lease)).scalar_one_or_none()
        return until is not None and until >= now

    async def release(self, target_id: int, task_id: int) -> None:
        await self.conn.execute(t.delete().where(t.c.target_id == target_id, t.c.task_id == task_id))

    async def holder(self, target_id: int) -> int | None:
        return (await self.conn.execute(sa.select(t.c.task_id).where(t.c.target_id == target_id))).scalar_one_or_none()
