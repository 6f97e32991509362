"""Read-only units of work, on both databases: a snapshot that cannot write and never holds up a writer."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from seaway.domain.environments import Environment
from seaway.store.database import Database
from seaway.store.tables import environments


async def add_environment(services, name: str) -> None:
    async with services.store.transaction() as uow:
        await uow.environments.add(Environment(name))


async def test_a_read_sees_what_was_committed_and_cannot_write(services):
    await add_environment(services, "Dev")

    async with services.store.reading() as uow:
        assert [e.name for e in await uow.environments.list()] == ["Dev"]
    with pytest.raises(sa.exc.DBAPIError):
        async with services.store.reading() as uow:
            await uow.environments.add(Environment("Sneaky"))

    async with services.store.reading() as uow:
        assert [e.name for e in await uow.environments.list()] == ["Dev"]


async def test_the_pooled_connection_writes_again_after_a_read(db_url):
    database = Database(db_url, pool_size=1)  # one connection: the read and the write share it
    try:
        async with database.read() as conn:
            await conn.execute(sa.select(environments))
        async with database.connect() as conn:
            await conn.execute(environments.insert().values(name="Dev", name_key="dev", sort_order=0))
        async with database.read() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(environments))).scalar() == 1
    finally:
        await database.dispose()


async def test_an_open_read_neither_blocks_a_writer_nor_sees_its_commit(services):
    await add_environment(services, "Dev")

    async with services.store.reading() as reader:
        before = [e.name for e in await reader.environments.list()]
        # On SQLite a transaction() would hold the one write lock and this write would wait 30 s.
        await asyncio.wait_for(add_environment(services, "Test"), timeout=10)
        during = [e.name for e in await reader.environments.list()]

    async with services.store.reading() as uow:
        after = [e.name for e in await uow.environments.list()]
    assert before == during == ["Dev"]  # one snapshot for the whole read
    assert after == ["Dev", "Test"]


async def test_a_postgresql_read_is_one_repeatable_read_only_begin_and_the_pool_resets_it(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's transaction modes")
    database = Database(db_url, pool_size=1)  # one connection: the read and the writes around it share it
    sent: list[str] = []  # what asyncpg sends of its own (BEGIN, COMMIT, a pre-ping's ";")
    executed: list[str] = []  # what goes through SQLAlchemy's cursor (a SET TRANSACTION would)
    event.listen(database.sync_engine, "before_cursor_execute", lambda *args: executed.append(args[2]))
    try:
        async with database.connect() as conn:
            raw = await conn.get_raw_connection()
            raw.driver_connection.add_query_logger(lambda record: sent.append(record.query))
            sent.clear()
            executed.clear()
        async with database.read() as conn:
            read_mode = (await conn.execute(sa.text("SHOW transaction_isolation"))).scalar()
            read_only = (await conn.execute(sa.text("SHOW transaction_read_only"))).scalar()
        async with database.connect() as conn:
            write_mode = (await conn.execute(sa.text("SHOW transaction_isolation"))).scalar()
            write_read_only = (await conn.execute(sa.text("SHOW transaction_read_only"))).scalar()
    finally:
        await database.dispose()
    assert (read_mode, read_only) == ("repeatable read", "on")
    assert (write_mode, write_read_only) == ("read committed", "off")
    assert sent[:2] == ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;", "COMMIT;"]  # no ping before BEGIN
    assert executed == ["SHOW transaction_isolation", "SHOW transaction_read_only"] * 2  # no SET TRANSACTION
