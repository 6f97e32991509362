"""The teams repository on both databases: members and scoped roles round-trip."""

from __future__ import annotations

import pytest

from seaway.domain.users import Team, TeamRole
from seaway.errors import NotFound

ROLES = (TeamRole("deployer", environments=("Dev",), projects=("Quotes",)), TeamRole("viewer"))


async def test_teams_are_added_saved_listed_and_deleted(services):
    async with services.store.transaction() as uow:
        team = await uow.teams.add(Team("Ops", ("alice", "bob"), ROLES))
        other = await uow.teams.add(Team("Devs"))
        assert team.id is not None and other.id is not None
        assert await uow.teams.get(team.id) == team
        assert await uow.teams.find_by_name("OPS") == team
        saved = await uow.teams.save(Team("Ops", ("carol",), (), team.id))
        assert await uow.teams.get(team.id) == saved
        assert [t.name for t in await uow.teams.list()] == ["Ops", "Devs"]
        await uow.teams.delete(other.id)
        assert await uow.teams.find_by_name("Devs") is None
    assert team.roles == ROLES and team.members == ("alice", "bob")


async def test_an_unknown_team_is_not_found(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as raised:
            await uow.teams.get(999)
        with pytest.raises(NotFound):
            await uow.teams.delete(999)
    assert raised.value.entity == "team"
