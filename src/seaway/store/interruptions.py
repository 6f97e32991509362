"""Interruptions: pending decisions of tasks. Deciding is one conditional UPDATE, so exactly one decision wins.

    UPDATE interruptions SET state='resolved', … WHERE id = :id AND state = 'pending' RETURNING …

On PostgreSQL a second, concurrent UPDATE waits for the first transaction's row lock, then re-checks
`state = 'pending'` against the committed row and matches nothing; on SQLite writers are serialised by
BEGIN IMMEDIATE. Either way the loser gets no row back and reports who won.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from seaway.domain.interruptions import (
    Interruption,
    InterruptionKind,
    InterruptionState,
    Result,
    content_hash,
    dedupe_key,
)
from seaway.store.base import Repository, row_as, values_of
from seaway.store.dialects import insert_ignoring_conflict
from seaway.store.tables import interruptions as t
from seaway.store.tables import releases

StateFilter = Literal["pending", "completed", "all"]


def _from_row(row: Any) -> Interruption:
    return row_as(Interruption, row)


class InterruptionRepository(Repository):
    async def get(self, interruption_id: int) -> Interruption:
        row = await self._one(sa.select(t).where(t.c.id == interruption_id), "interruption", interruption_id)
        return _from_row(row)

    async def find(self, interruption_id: int) -> Interruption | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.id == interruption_id))).first()
        return _from_row(row) if row else None

    async def find_for_step(
        self, task_id: int, step_index: int, kind: InterruptionKind = InterruptionKind.MANUAL_INTERVENTION
    ) -> Interruption | None:
        stmt = sa.select(t).where(t.c.key == dedupe_key(kind, task_id, step_index))
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def add(self, interruption: Interruption) -> Interruption:
        """Insert, or return the one already made for this kind, task and step (a re-run after a crash)."""
        key = dedupe_key(interruption.kind, interruption.task_id, interruption.step_index)
        values = values_of(interruption, t, key=key)
        await self.conn.execute(insert_ignoring_conflict(self.conn, t, ["key"]).values(values))
        found = await self.find_for_step(interruption.task_id, interruption.step_index, interruption.kind)
        assert found is not None
        return found

    async def list(
        self, *, state: StateFilter = "pending", task_id: int | None = None, limit: int = 200
    ) -> list[Interruption]:
        stmt = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if state == "pending":
            stmt = stmt.where(t.c.state == InterruptionState.PENDING.value)
        elif state == "completed":
            stmt = stmt.where(t.c.state != InterruptionState.PENDING.value)
        if task_id is not None:
            stmt = stmt.where(t.c.task_id == task_id)
        return [_from_row(r) for r in await self.conn.execute(stmt)]

    async def pending_ids(self, task_id: int) -> builtins.list[int]:
        return list((await self.conn.execute(_PENDING_IDS, {"b_task_id": task_id})).scalars())

    async def take(self, interruption_id: int, user_id: int, now: datetime) -> Interruption | None:
        """Assign to `user_id` while still pending; None when it is no longer pending."""
        stmt = (
            t.update()
            .where(t.c.id == interruption_id, t.c.state == InterruptionState.PENDING.value)
            .values(taken_by=user_id, taken_at=now)
            .returning(*t.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def lock_pending(self, interruption_id: int) -> Interruption | None:
        """Hold the row until commit while it is pending (a no-op UPDATE locks it the way a decision does, so
        a decision and a change to its links queue on the same lock); None when it is no longer pending."""
        stmt = (
            t.update()
            .where(t.c.id == interruption_id, t.c.state == InterruptionState.PENDING.value)
            .values(state=t.c.state)
            .returning(*t.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def decide(
        self, interruption_id: int, *, user_id: int, result: Result, notes: str, channel: str, now: datetime
    ) -> Interruption | None:
        """The one atomic decision; None when another decision (or a cancel) got there first."""
        stmt = (
            t.update()
            .where(t.c.id == interruption_id, t.c.state == InterruptionState.PENDING.value)
            .values(
                state=InterruptionState.RESOLVED.value,
                result=result.value,
                notes=notes,
                decided_by=user_id,
                decided_at=now,
                channel=channel,
                taken_by=user_id,
                taken_at=sa.func.coalesce(t.c.taken_at, now),
            )
            .returning(*t.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def cancel_pending(self, task_id: int, now: datetime, reason: str) -> builtins.list[Interruption]:
        """Cancel every pending interruption of a task; returns the ones this call canceled."""
        stmt = (
            t.update()
            .where(t.c.task_id == task_id, t.c.state == InterruptionState.PENDING.value)
            .values(state=InterruptionState.CANCELED.value, decided_at=now, notes=reason)
            .returning(*t.c)
        )
        return [_from_row(r) for r in await self.conn.execute(stmt)]

    async def release_content_hash(self, release_id: int) -> str:
        """The content hash of a release as stored: sensitive values enter it encrypted, never in clear."""
        stmt = sa.select(
            releases.c.id, releases.c.version, releases.c.process, releases.c.variables, releases.c.packages
        ).where(releases.c.id == release_id)
        row = await self._one(stmt, "release", release_id)
        return content_hash(row.id, row.version, row.process, row.variables, row.packages)


# Built once: `GET /tasks/{id}` runs it on every request.
_PENDING_IDS = (
    sa.select(t.c.id)
    .where(t.c.task_id == sa.bindparam("b_task_id"), t.c.state == InterruptionState.PENDING.value)
    .order_by(t.c.id)
)
