"""One Alembic history, on both databases: no drift from the schema in code, and a clean round trip."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from seaway.store import tables as t
from seaway.store.database import alembic_config
from seaway.store.tables import metadata


def _diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


async def test_the_migrated_schema_matches_the_tables_in_code(database):
    assert await database.run_sync(_diff) == []


async def test_the_history_is_linear():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


async def test_downgrading_to_nothing_and_upgrading_again_works(database):
    await database.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
    tables = await database.run_sync(lambda c: c.dialect.get_table_names(c))
    assert set(tables) <= {"alembic_version"}
    await database.migrate()
    assert await database.run_sync(_diff) == []


async def test_adding_the_deployer_to_interruptions_keeps_every_approval_link_and_fills_it_in(database):
    """0004 must not rebuild `interruptions` on SQLite: with foreign keys on, that deletes their links."""
    await database.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
    await database.run_sync(lambda c: command.upgrade(alembic_config(c), "0003"))
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with database.connect() as conn:
        await conn.execute(sa.insert(t.users).values(id=1, username="dave", username_key="dave", created_at=now))
        await conn.execute(sa.insert(t.environments).values(id=1, name="Prod", name_key="prod", sort_order=0))
        await conn.execute(
            sa.insert(t.projects).values(id=1, name="Q", name_key="q", process=[], variables=[], includes=[])
        )
        empty = {"process": [], "variables": [], "packages": {}}
        await conn.execute(
            sa.insert(t.releases).values(id=1, project_id=1, version="1.0", version_key="1.0", created_at=now, **empty)
        )
        await conn.execute(
            sa.insert(t.deployments).values(
                id=1, release_id=1, project_id=1, environment_id=1, created_at=now, prompted_variables={}, created_by=1
            )
        )
        await conn.execute(sa.insert(t.tasks).values(id=1, deployment_id=1, state="waiting", queued_at=now))
        await conn.execute(
            sa.insert(t.interruptions).values(
                id=1, key="k", kind="manual-intervention", task_id=1, step_index=0, step_name="Gate", deployment_id=1,
                project_id=1, release_id=1, environment="Prod", project_name="Q", release_version="1.0",
                deployment_url="http://seaway.test/", state="pending", responsible_teams=[], content_hash="c" * 64,
                created_at=now,
            )
        )  # fmt: skip
        await conn.execute(
            sa.insert(t.approval_links).values(
                interruption_id=1, user_id=1, decision="proceed", token_hash="a" * 64, content_hash="c" * 64,
                created_at=now, expires_at=now,
            )
        )  # fmt: skip

    await database.migrate()

    assert await database.run_sync(_diff) == []
    async with database.read() as conn:
        links = (await conn.execute(sa.select(t.approval_links.c.token_hash))).scalars().all()
        row = (await conn.execute(sa.select(t.interruptions))).one()
    assert links == ["a" * 64]
    assert (row.requested_by, row.allow_self_approval) == (1, False)
