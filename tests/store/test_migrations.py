"""One Alembic history, on both databases: no drift from the schema in code, and a clean round trip."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from seaway.store.database import alembic_config
from seaway.store.tables import metadata


def _diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


async def test_the_migrated_schema_matches_the_tables_in_code(database):
    async with database.engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == []


async def test_the_history_is_linear():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


async def test_downgrading_to_nothing_and_upgrading_again_works(database):
    async with database.engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
    async with database.engine.begin() as conn:
        tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    assert set(tables) <= {"alembic_version"}
    await database.migrate()
    async with database.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
