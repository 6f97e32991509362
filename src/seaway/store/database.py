"""One engine per database URL, with SQLite made safe for concurrent use, and schema migration."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from seaway.errors import InvalidInput
from seaway.store.sqlite import SqliteEngine

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")


class StoreConnection(Protocol):
    """What repositories use of a connection: the same on SQLite (synchronous underneath) and PostgreSQL."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Any, parameters: Any = None) -> sa.CursorResult[*tuple[Any, ...]]: ...

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> sa.CursorResult[*tuple[Any, ...]]: ...

    async def run_sync(self, fn: Callable[[sa.Connection], T]) -> T: ...


# A PostgreSQL read: one snapshot for the whole read, as on SQLite (a read-only transaction never fails to
# serialise). asyncpg opens it with one `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, no SET after it;
# both are reset when the connection goes back to the pool.
_POSTGRESQL_READ = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
# No pool_pre_ping (a round trip before every checkout): a connection found dead when used is invalidated
# by SQLAlchemy, and the pool replaces it. Recycling connections after half an hour keeps the pool from
# holding one that a firewall or proxy has silently dropped for idling.
POSTGRESQL_POOL_RECYCLE_SECONDS = 1800
# A node stopped inside a transaction (a frozen VM, SIGSTOP) would hold its row locks for ever, and the queue
# claims with SKIP LOCKED, so its work items would never be taken over. PostgreSQL ends such a session; no
# transaction of ours waits on its client this long, and a stalled owner's writes are fenced anyway.
MIN_IDLE_TRANSACTION_SECONDS = 10.0


class Database:
    """The store's connection to one database: write transactions, read-only snapshots and migration.

    SQLite runs its statements on the loop thread (`store/sqlite.py`); PostgreSQL goes through asyncpg.
    Both hand out connections with the same awaitable `execute`, so repositories do not know which it is.
    """

    def __init__(self, url: str, *, pool_size: int = 10, idle_transaction_seconds: float = 60.0) -> None:
        try:
            parsed = make_url(url)
        except sa.exc.ArgumentError as exc:
            raise InvalidInput(f"not a database URL: {exc}", field="SEAWAY_DATABASE_URL") from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise InvalidInput("only sqlite and postgresql databases are supported", field="SEAWAY_DATABASE_URL")
        self._sqlite: SqliteEngine | None = None
        self._postgresql: AsyncEngine | None = None
        if self.dialect == "sqlite":
            self._sqlite = SqliteEngine(parsed.database or "", readers=pool_size)
        else:
            idle_ms = int(max(idle_transaction_seconds, MIN_IDLE_TRANSACTION_SECONDS) * 1000)
            self._postgresql = create_async_engine(
                parsed.set(drivername="postgresql+asyncpg"),
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_recycle=POSTGRESQL_POOL_RECYCLE_SECONDS,
                connect_args={"server_settings": {"idle_in_transaction_session_timeout": str(idle_ms)}},
            )

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def sync_engine(self) -> sa.Engine:
        """The engine whose events see every write transaction (for counting commits and statements)."""
        if self._sqlite is not None:
            return self._sqlite.writer
        assert self._postgresql is not None
        return self._postgresql.sync_engine

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[StoreConnection]:
        """A connection inside one transaction, committed on success and rolled back on any error."""
        if self._sqlite is not None:
            async with self._sqlite.write() as conn:
                yield conn
            return
        assert self._postgresql is not None
        async with self._postgresql.begin() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[StoreConnection]:
        """A connection inside one read-only transaction: a consistent snapshot that takes no write lock.
        Any write in it fails (SQLite `query_only`, PostgreSQL `READ ONLY`)."""
        if self._sqlite is not None:
            async with self._sqlite.read() as conn:
                yield conn
            return
        assert self._postgresql is not None
        async with self._postgresql.connect() as plain:
            reader = await plain.execution_options(**_POSTGRESQL_READ)
            async with reader.begin():
                yield reader

    async def run_sync(self, fn: Callable[[sa.Connection], T]) -> T:
        """Run a synchronous function (Alembic, schema inspection) in one write transaction."""
        async with self.connect() as conn:
            return await conn.run_sync(fn)

    async def migrate(self) -> None:
        await self.run_sync(_upgrade)

    async def dispose(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.dispose()
        if self._postgresql is not None:
            await self._postgresql.dispose()


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: sa.Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def run_sync_migrate(url: str) -> None:
    """For the CLI: migrate without an event loop of the caller's own."""

    async def _run() -> None:
        database = Database(url, pool_size=1)
        try:
            await database.migrate()
        finally:
            await database.dispose()

    asyncio.run(_run())
