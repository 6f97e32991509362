"""What an operator watches, read straight from the database: counts for /metrics, schema state for /ready.

Every figure is one aggregate query, read in the caller's read-only unit of work, so a scrape never takes
the write lock and costs the same however many nodes share the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from seaway.store.base import Repository
from seaway.store.database import Database, alembic_config
from seaway.store.tables import UtcDateTime
from seaway.store.tables import emails as emails_table
from seaway.store.tables import interruptions as interruptions_table
from seaway.store.tables import tasks as tasks_table
from seaway.store.tables import work_items as work_table


@dataclass(frozen=True)
class QueueFigures:
    due: int  # claimable now: run_after has come and no live lease holds it
    oldest_due_at: datetime | None
    expired_leases: int  # held by a node whose lease ran out: another node will take these over


@dataclass(frozen=True)
class EmailFigures:
    by_state: dict[str, int]
    retrying: int  # queued emails whose last attempt failed (SMTP refused or unreachable)


class OperationalFigures(Repository):
    async def tasks_by_state(self) -> dict[str, int]:
        t = tasks_table
        rows = await self.conn.execute(sa.select(t.c.state, sa.func.count()).group_by(t.c.state))
        return {state: int(count) for state, count in rows}

    async def work_queue(self, now: datetime) -> QueueFigures:
        t = work_table
        unleased = sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now)
        due = sa.and_(t.c.run_after <= now, unleased)
        expired = sa.and_(t.c.lease_owner.is_not(None), t.c.lease_until < now)
        stmt = sa.select(
            sa.func.count(sa.case((due, 1))),
            sa.func.min(sa.case((due, t.c.run_after)), type_=UtcDateTime()),
            sa.func.count(sa.case((expired, 1))),
        )
        count, oldest, expired_count = (await self.conn.execute(stmt)).one()
        return QueueFigures(int(count), oldest, int(expired_count))

    async def emails(self) -> EmailFigures:
        t = emails_table
        failed_attempt = sa.func.count(sa.case((t.c.last_error.is_not(None), 1)))
        stmt = sa.select(t.c.state, sa.func.count(), failed_attempt).group_by(t.c.state)
        rows = (await self.conn.execute(stmt)).all()
        by_state = {state: int(count) for state, count, _ in rows}
        retrying = sum(int(errors) for state, _, errors in rows if state == "queued")
        return EmailFigures(by_state, retrying)

    async def approval_waits(self) -> list[float]:
        """Seconds from each decided interruption's request to its decision, over all history (a histogram
        built from these only grows, as Prometheus expects of one)."""
        t = interruptions_table
        rows = await self.conn.execute(sa.select(t.c.created_at, t.c.decided_at).where(t.c.decided_at.is_not(None)))
        return [max((decided - created).total_seconds(), 0.0) for created, decided in rows]


@dataclass(frozen=True)
class SchemaState:
    reachable: bool
    current: tuple[str, ...] = ()  # the revisions recorded in the database
    head: tuple[str, ...] = ()  # the revisions this code's migrations end at
    error: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and set(self.current) == set(self.head)


def migration_heads() -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


async def schema_state(database: Database, *, timeout: float = 5.0) -> SchemaState:
    """Whether the database answers and carries the schema this code expects; never raises."""

    def current(connection: sa.Connection) -> Sequence[str]:
        return MigrationContext.configure(connection).get_current_heads()

    try:
        async with asyncio.timeout(timeout):
            async with database.read() as conn:
                revisions = tuple(sorted(await conn.run_sync(current)))
    except (OSError, TimeoutError, sa.exc.SQLAlchemyError) as exc:
        return SchemaState(reachable=False, error=f"{type(exc).__name__}: {exc}"[:500])
    return SchemaState(reachable=True, current=revisions, head=migration_heads())
