"""Teams: create, change, delete; members are users that exist, names are unique, and each team role names a
role that exists, scoped to environments and projects that exist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from seaway.domain.users import Team
from seaway.engine.names import refuse_name_clash
from seaway.engine.paths import at
from seaway.engine.roles import known_role
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork


async def check_team(uow: UnitOfWork, team: Team, *, path: str = "") -> None:
    """Every member is a stored user, every role a built-in or stored custom role, every scope a stored
    environment or project; `path` places errors in a config document (`teams[0].roles[1].role`)."""
    for index, member in enumerate(team.members):
        if await uow.users.find_by_username(member) is None:
            raise _unknown("user", member, at(path, f"members[{index}]"))
    if not team.roles:
        return
    environments = _keys(e.name for e in await uow.environments.list())
    projects = _keys(p.name for p in await uow.projects.list_summaries())
    for index, team_role in enumerate(team.roles):
        where = at(path, f"roles[{index}]")
        if await known_role(uow, team_role.role) is None:
            raise _unknown("role", team_role.role, at(where, "role"))
        _check_names(team_role.environments, environments, "environment", at(where, "environments"))
        _check_names(team_role.projects, projects, "project", at(where, "projects"))


def _keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


def _check_names(names: Iterable[str], known: frozenset[str], kind: str, path: str) -> None:
    for index, name in enumerate(names):
        if name.lower() not in known:
            raise _unknown(kind, name, f"{path}[{index}]")


def _unknown(kind: str, name: str, field: str) -> InvalidInput:
    # The path leads the message too: the CLI prints the server's message as it is.
    return InvalidInput(f'{field}: unknown {kind} "{name}"', field=field)


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
