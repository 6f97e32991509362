"""Roles: the built-in ones (read only, by slug) and custom ones (create, change, delete, by name).

The API and config-as-code apply both go through here, so a custom role is refused alike whichever way it
comes: a built-in slug for a name, a name another custom role has, or a role still held by a team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from seaway.domain.ids import parse_id
from seaway.domain.roles import BUILTIN_ROLES, Role, find_role, validate_custom_role
from seaway.domain.users import Team
from seaway.engine.names import refuse_name_clash, refuse_while_used
from seaway.errors import Conflict
from seaway.store.unit_of_work import UnitOfWork


async def list_roles(uow: UnitOfWork) -> list[Role]:
    """The built-in roles in their documented order, then the custom ones."""
    return [*BUILTIN_ROLES.values(), *await uow.roles.list()]


async def find_role_ref(uow: UnitOfWork, ref: str) -> Role:
    """A role by a built-in slug (`approver`) or a custom role's id (`Roles-3`)."""
    builtin = BUILTIN_ROLES.get(ref.lower())
    if builtin is not None:
        return builtin
    return await uow.roles.get(parse_id("role", ref))


async def check_role(uow: UnitOfWork, role: Role, own_id: int | None = None, *, field: str = "name") -> None:
    """Not a built-in slug and no other custom role's name."""
    validate_custom_role(role, field=field)
    refuse_name_clash(await uow.roles.find_by_name(role.name), own_id, f'a role named "{role.name}"', field=field)


def _refuse_builtin(ref: str, doing: str) -> None:
    if ref.lower() in BUILTIN_ROLES:
        raise Conflict(
            f'"{ref.lower()}" is a built-in role and cannot be {doing}; create a custom role instead',
            entity="role",
            id=ref.lower(),
        )


async def create_role(uow: UnitOfWork, role: Role) -> Role:
    await check_role(uow, role)
    return await uow.roles.add(role)


async def update_role(uow: UnitOfWork, ref: str, role: Role) -> Role:
    """Change a custom role; teams naming it by its old name keep it when it is renamed."""
    _refuse_builtin(ref, "changed")
    existing = await uow.roles.get(parse_id("role", ref))
    await check_role(uow, role, existing.id)
    if existing.name.lower() != role.name.lower():
        await _rename_in_teams(uow, existing.name, role.name)
    return await uow.roles.save(replace(role, id=existing.id))


async def delete_role(uow: UnitOfWork, ref: str) -> None:
    """Delete a custom role that no team holds."""
    _refuse_builtin(ref, "deleted")
    existing = await uow.roles.get(parse_id("role", ref))
    holders = [t.name for t in teams_holding(await uow.teams.list(), existing.name)]
    refuse_while_used("role", ref, existing.name, holders, "held by the team", "take it off the team first")
    assert existing.id is not None
    await uow.roles.delete(existing.id)


def teams_holding(teams: Sequence[Team], role_name: str) -> list[Team]:
    key = role_name.lower()
    return [team for team in teams if any(r.role.lower() == key for r in team.roles)]


async def _rename_in_teams(uow: UnitOfWork, old: str, new: str) -> None:
    for team in teams_holding(await uow.teams.list(), old):
        roles = tuple(replace(r, role=new) if r.role.lower() == old.lower() else r for r in team.roles)
        await uow.teams.save(replace(team, roles=roles))


async def known_role(uow: UnitOfWork, name: str) -> Role | None:
    """A built-in role by slug or a stored custom role by name."""
    return find_role(name, ()) or await uow.roles.find_by_name(name)
