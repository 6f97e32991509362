"""Durable work items with leases.

A work item is `(kind, key, payload)`; the key dedupes (`run-task:7`). Workers claim items by taking a
lease; a lease that is not renewed expires and the item becomes claimable again, so work outlives the
node that started it. Enqueue happens in the caller's transaction: a rollback enqueues nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from seaway.errors import LeaseLost
from seaway.store.base import Repository
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection
from seaway.store.dialects import insert_on_conflict_update, lock_for_claim, notify_work
from seaway.store.tables import work_items as t


@dataclass(frozen=True)
class WorkItem:
    id: int
    kind: str
    key: str
    payload: Mapping[str, Any]
    attempts: int
    generation: int
    # The node whose lease had expired when this claim took the item over, or None for an ordinary claim.
    taken_over_from: str | None = None


class WorkQueue(Repository):
    def __init__(self, conn: StoreConnection, cipher: Cipher, on_enqueue: Callable[[], None] | None = None) -> None:
        super().__init__(conn, cipher)
        self._on_enqueue = on_enqueue

    async def enqueue(
        self, kind: str, key: str, payload: Mapping[str, Any], run_after: datetime, *, wake: bool = True
    ) -> None:
        """Add an item, or when the key exists: run it no later than `run_after`, once more after the current run."""
        stmt = insert_on_conflict_update(
            self.conn,
            t,
            ["key"],
            values={"kind": kind, "key": key, "payload": dict(payload), "run_after": run_after},
            update={
                "generation": t.c.generation + 1,
                "run_after": sa.case((t.c.run_after > run_after, run_after), else_=t.c.run_after),
            },
        )
        await self.conn.execute(stmt)
        if wake:
            await notify_work(self.conn)
            if self._on_enqueue is not None:
                self._on_enqueue()

    async def claim(
        self, owner: str, now: datetime, lease: timedelta, limit: int, *, exclude: Sequence[str] = ()
    ) -> list[WorkItem]:
        """Take the leases of up to `limit` due items, oldest first, in one statement (PostgreSQL skips the rows
        another node is claiming at the same moment)."""
        free = sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now)
        due = sa.select(t.c.id).where(t.c.run_after <= now, free).order_by(t.c.run_after, t.c.id).limit(limit)
        if exclude:
            due = due.where(t.c.key.not_in(exclude))
        stmt = (
            t.update()
            .where(t.c.id.in_(lock_for_claim(due, self.conn).scalar_subquery()))
            .values(
                lease_owner=owner,
                lease_until=now + lease,
                attempts=t.c.attempts + 1,
                # Only an expired lease leaves an owner behind: a finished, failed or handed-back item has none.
                taken_over_from=t.c.lease_owner,
            )
            .returning(t.c.id, t.c.kind, t.c.key, t.c.payload, t.c.attempts, t.c.generation, t.c.taken_over_from)
        )
        rows = (await self.conn.execute(stmt)).all()
        return sorted(
            (WorkItem(r.id, r.kind, r.key, r.payload, r.attempts, r.generation, r.taken_over_from) for r in rows),
            key=lambda w: w.id,
        )

    async def extend(self, owner: str, item_ids: Sequence[int], until: datetime) -> set[int]:
        """Renew leases; returns the ids this owner still holds (a lost lease means stop working on it)."""
        if not item_ids:
            return set()
        stmt = (
            t.update().where(t.c.id.in_(item_ids), t.c.lease_owner == owner).values(lease_until=until).returning(t.c.id)
        )
        return set((await self.conn.execute(stmt)).scalars())

    async def hold(self, item: WorkItem, owner: str, until: datetime) -> None:
        """Fence a write: check, in the writer's transaction, that `owner` still holds the item (and renew it).
        Raises `LeaseLost` otherwise, so the transaction rolls back and a stale node's late write is refused."""
        held = await self.conn.execute(
            t.update().where(t.c.id == item.id, t.c.lease_owner == owner).values(lease_until=until)
        )
        if held.rowcount != 1:
            raise LeaseLost(f"the lease on {item.key} is lost", entity="work_item", id=item.key)

    async def complete(self, item: WorkItem, owner: str) -> None:
        """Delete a finished item, unless it was enqueued again meanwhile: then free it to run once more."""
        deleted = await self.conn.execute(
            t.delete().where(t.c.id == item.id, t.c.lease_owner == owner, t.c.generation == item.generation)
        )
        if deleted.rowcount == 1:
            return
        await self.conn.execute(
            t.update()
            .where(t.c.id == item.id, t.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None, attempts=0)
        )

    async def retry_later(self, item: WorkItem, owner: str, run_after: datetime, error: str) -> None:
        await self.conn.execute(
            t.update()
            .where(t.c.id == item.id, t.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None, run_after=run_after, last_error=error[:2000])
        )

    async def release_owned(self, owner: str) -> None:
        """On a clean shutdown: give this node's items back at once instead of waiting for leases to expire."""
        await self.conn.execute(t.update().where(t.c.lease_owner == owner).values(lease_owner=None, lease_until=None))

    async def pending(self, kind: str | None = None) -> list[WorkItem]:
        stmt = sa.select(t).order_by(t.c.id)
        if kind is not None:
            stmt = stmt.where(t.c.kind == kind)
        rows = await self.conn.execute(stmt)
        return [WorkItem(r.id, r.kind, r.key, r.payload, r.attempts, r.generation) for r in rows]

    async def next_run_after(self) -> datetime | None:
        stmt = sa.select(t.c.run_after).order_by(t.c.run_after).limit(1)
        return (await self.conn.execute(stmt)).scalar_one_or_none()
