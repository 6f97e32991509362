"""SQLite without a thread hop per statement.

A SQLite statement costs microseconds; sending each one through a driver thread and back (aiosqlite) cost
about ten times the statement. So Seaway's SQLite store runs statements synchronously on the event loop's own
thread, through SQLAlchemy's synchronous engine over the standard `sqlite3` module:

- **One writer per process.** SQLite has one write lock per file; an `asyncio.Lock` queues this process's
  writers in front of it, so a write transaction never waits inside SQLite (`busy_timeout` only matters
  when another process holds the lock, such as `seaway migrate`). The writer's transaction is
  `BEGIN IMMEDIATE` … `COMMIT` on one long-lived connection.
- **Readers on their own connections**, opened with `query_only` set once: in WAL mode a reader sees the
  last commit, takes no lock and never waits for the writer. An `asyncio.Semaphore` bounds them, so taking
  a connection never blocks the loop.
- A unit of work is therefore a sequence of cheap calls on the loop thread, its COMMIT included: the fsync
  holds the loop for as long as the disk takes, once per transaction, where aiosqlite paid a thread hop per
  statement.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.pool import QueuePool

T = TypeVar("T")


class SyncConnection:
    """An awaitable face over a synchronous connection, so repositories are the same on both databases."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    @property
    def sync_connection(self) -> Connection:
        return self._conn

    async def execute(self, statement: Any, parameters: Any = None) -> sa.CursorResult[*tuple[Any, ...]]:
        return self._conn.execute(statement, parameters)

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> sa.CursorResult[*tuple[Any, ...]]:
        return self._conn.exec_driver_sql(statement, parameters)

    async def run_sync(self, fn: Callable[[Connection], T]) -> T:
        return fn(self._conn)


def _engine(path: str, *, readers: int, read_only: bool) -> Engine:
    engine = sa.create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=readers,
        max_overflow=0,
        # Connections are used only on the loop's thread, but SQLAlchemy's pool may close them from another.
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so the BEGIN below is the only one issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")  # a stray write in a read fails instead of taking the lock
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        # A deferred transaction that later writes can fail with SQLITE_BUSY without waiting; the writer takes
        # the lock up front. A reader's deferred BEGIN takes a snapshot at its first read and no lock at all.
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class SqliteEngine:
    def __init__(self, path: str, *, readers: int = 10) -> None:
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.writer = _engine(path, readers=1, read_only=False)
        self.reader = _engine(path, readers=readers, read_only=True)
        self._write_lock = asyncio.Lock()
        self._read_slots = asyncio.Semaphore(readers)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[SyncConnection]:
        async with self._write_lock:
            conn = self.writer.connect()
            try:
                transaction = conn.begin()
                try:
                    yield SyncConnection(conn)
                except BaseException:
                    transaction.rollback()
                    raise
                transaction.commit()
            finally:
                conn.close()

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[SyncConnection]:
        async with self._read_slots:
            with self.reader.connect() as conn, conn.begin():
                yield SyncConnection(conn)

    async def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()
