"""0007 on both databases: an installation from before roles keeps its users deploying, through one team."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from seaway.domain.permissions import Permission, allows
from seaway.store import tables as t
from seaway.store.database import alembic_config
from seaway.store.users import USER_COLUMNS
from seaway.store.users import _from_row as user_from_row

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEAM = "Everyone (before roles)"


async def upgrade_with_users(database, *users: tuple[str, bool]) -> None:
    await database.run_sync(lambda c: command.downgrade(alembic_config(c), "0006"))
    async with database.connect() as conn:
        for index, (name, admin) in enumerate(users, start=1):
            await conn.execute(
                sa.insert(t.users).values(id=index, username=name, username_key=name, is_admin=admin, created_at=NOW)
            )
    await database.migrate()


async def test_existing_users_join_one_team_that_lets_them_deploy_and_see_environments(database):
    await upgrade_with_users(database, ("root", True), ("dave", False), ("erin", False))

    async with database.read() as conn:
        [team] = (await conn.execute(sa.select(t.teams))).all()
        users = {row.username: user_from_row(row) for row in await conn.execute(sa.select(*USER_COLUMNS))}
    assert team.name == TEAM and team.members == ["root", "dave", "erin"]
    assert [r["role"] for r in team.roles] == ["project-deployer", "environment-viewer"]
    for name in ("dave", "erin"):
        assert allows(users[name], Permission.DEPLOYMENT_CREATE, "Quotes", "Prod")
        assert allows(users[name], Permission.ENVIRONMENT_VIEW, None, "Prod")
        assert not allows(users[name], Permission.TEAM_EDIT)
    assert {g.team for g in users["dave"].grants} == {TEAM}


async def test_a_new_installation_or_one_of_administrators_only_gets_no_team(database):
    await upgrade_with_users(database, ("root", True))

    async with database.read() as conn:
        assert (await conn.execute(sa.select(t.teams))).all() == []
        assert (await conn.execute(sa.select(t.users.c.grants))).scalars().all() == [[]]


async def test_downgrading_takes_the_team_and_its_grants_away(database):
    await upgrade_with_users(database, ("dave", False))

    await database.run_sync(lambda c: command.downgrade(alembic_config(c), "0006"))

    async with database.read() as conn:
        assert (await conn.execute(sa.select(t.teams))).all() == []
        assert (await conn.execute(sa.select(t.users.c.grants))).scalars().all() == [[]]
