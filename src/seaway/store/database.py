"""One engine per database URL, with SQLite made safe for concurrent use, and schema migration."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from seaway.errors import InvalidInput

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "seaway_read_only"  # an execution option: this connection's transactions only read


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'seaway.db'}"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE below is the only BEGIN issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        if _read_only(conn):
            # A reader takes no lock at all in WAL mode: it sees the last commit and never waits for, nor
            # holds up, the one writer. query_only makes a stray write fail instead of taking the lock.
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("PRAGMA query_only=ON")
            return
        # A deferred transaction that later writes can fail with SQLITE_BUSY without waiting; taking the
        # write lock up front makes writers queue on busy_timeout instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def on_end(conn: Any) -> None:
        if _read_only(conn):
            conn.exec_driver_sql("PRAGMA query_only=OFF")  # the pooled connection writes again next time


def _configure_postgresql(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        if _read_only(conn):
            # One snapshot for the whole read, as on SQLite; a read-only transaction never fails to serialise.
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _read_only(conn: Any) -> bool:
    return bool(conn.get_execution_options().get(READ_ONLY))


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        try:
            parsed = make_url(url)
        except sa.exc.ArgumentError as exc:
            raise InvalidInput(f"not a database URL: {exc}", field="SEAWAY_DATABASE_URL") from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise InvalidInput("only sqlite and postgresql databases are supported", field="SEAWAY_DATABASE_URL")
        kwargs: dict[str, Any] = {}
        if self.dialect == "postgresql":
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        else:
            if parsed.database:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pool_size=pool_size, max_overflow=0)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        else:
            _configure_postgresql(self.engine)
        self._after_commit: list[Callable[[], None]] = []

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction, committed on success and rolled back on any error."""
        async with self.engine.begin() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one read-only transaction: a consistent snapshot that takes no write lock.
        Any write in it fails (SQLite `query_only`, PostgreSQL `READ ONLY`)."""
        async with self.engine.connect() as plain:
            conn = await plain.execution_options(**{READ_ONLY: True})
            async with conn.begin():
                yield conn

    async def migrate(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()


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
