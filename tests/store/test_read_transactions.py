"""Read-only units of work, on both databases: a snapshot that cannot write and never holds up a writer."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

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
