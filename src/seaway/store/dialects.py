"""The only dialect-specific code: upserts, row locking for the work queue, wake-up notifications."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.url import make_url

from seaway.store.database import StoreConnection


def is_postgresql(conn: StoreConnection) -> bool:
    return conn.dialect.name == "postgresql"


def insert_ignoring_conflict(conn: StoreConnection, table: sa.Table, index_elements: list[str]) -> Any:
    """An INSERT that does nothing when the unique key already exists."""
    if is_postgresql(conn):
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)


def insert_on_conflict_update(
    conn: StoreConnection, table: sa.Table, index_elements: list[str], values: dict[str, Any], update: dict[str, Any]
) -> Any:
    stmt: Any = postgresql.insert(table) if is_postgresql(conn) else sqlite.insert(table)
    stmt = stmt.values(**values)
    return stmt.on_conflict_do_update(index_elements=index_elements, set_=update)


def lock_for_claim(select: sa.Select[Any], conn: StoreConnection) -> sa.Select[Any]:
    """PostgreSQL: skip rows another node is claiming. SQLite: BEGIN IMMEDIATE already serialises writers."""
    if is_postgresql(conn):
        return select.with_for_update(skip_locked=True)
    return select


WAKE_CHANNEL = "seaway_work"


async def notify_work(conn: StoreConnection) -> None:
    """Wake idle workers on other nodes when this transaction commits (PostgreSQL only)."""
    if is_postgresql(conn):
        await conn.execute(sa.text("SELECT pg_notify(:channel, '')"), {"channel": WAKE_CHANNEL})


@contextlib.asynccontextmanager
async def work_notifications(url: str, on_notify: Callable[[], None]) -> AsyncIterator[None]:
    """PostgreSQL: call `on_notify` whenever another node enqueues work. Elsewhere (SQLite, one process) a no-op.

    It is only a hint: workers still poll, so a dropped listening connection delays work, never loses it.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        yield
        return
    import asyncpg

    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.add_listener(WAKE_CHANNEL, lambda *_: on_notify())
        yield
    finally:
        await connection.close()
