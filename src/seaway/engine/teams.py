"""Teams: create, change, delete; members are users that exist, names are unique."""

from __future__ import annotations

from dataclasses import replace

from seaway.domain.users import Team
from seaway.engine.names import refuse_name_clash
from seaway.engine.paths import at
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork


async def check_team(uow: UnitOfWork, team: Team, *, path: str = "") -> None:
    """Every member is a stored user; `path` places errors in a config document."""
    for index, member in enumerate(team.members):
        if await uow.users.find_by_username(member) is None:
            raise InvalidInput(f'unknown user "{member}"', field=at(path, f"members[{index}]"))


async def create_team(uow: UnitOfWork, team: Team) -> Team:
    refuse_name_clash(await uow.teams.find_by_name(team.name), None, f'a team named "{team.name}"')
    await check_team(uow, team)
    return await uow.teams.add(team)


async def update_team(uow: UnitOfWork, team_id: int, team: Team) -> Team:
    existing = await uow.teams.get(team_id)
    refuse_name_clash(await uow.teams.find_by_name(team.name), existing.id, f'a team named "{team.name}"')
    await check_team(uow, team)
    return await uow.teams.save(replace(team, id=existing.id))


async def delete_team(uow: UnitOfWork, team_id: int) -> None:
    await uow.teams.delete(team_id)
