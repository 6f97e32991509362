"""Custom roles through the engine on both databases: built-in ones are read only, names are unique and not
slugs, a renamed role stays with its teams, and a role a team holds cannot be deleted."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import apply_yaml

from seaway.domain.permissions import Permission, allows
from seaway.domain.roles import BUILTIN_ROLES, Role
from seaway.engine.roles import create_role, delete_role, find_role_ref, list_roles, update_role
from seaway.errors import Conflict, InvalidInput, NotFound

# The team names the role in another case: names compare case-insensitively.
HELD_BY_A_TEAM = """
users: [{username: rita}]
roles: [{name: Release Manager, permissions: [release.create]}]
teams: [{name: Release Managers, members: [rita], roles: [{role: release manager}]}]
"""
MANAGER = Role("Release Manager", frozenset({Permission.RELEASE_CREATE}), "ships")


async def test_roles_list_the_built_in_ones_then_the_custom_ones(services):
    async with services.store.transaction() as uow:
        created = await create_role(uow, MANAGER)
        roles = await list_roles(uow)
        assert await find_role_ref(uow, "Approver") is BUILTIN_ROLES["approver"]
        assert await find_role_ref(uow, f"Roles-{created.id}") == created
    assert roles == [*BUILTIN_ROLES.values(), created]


async def test_a_custom_role_name_is_unique_and_never_a_built_in_slug(services):
    async with services.store.transaction() as uow:
        await create_role(uow, MANAGER)
        with pytest.raises(Conflict) as clash:
            await create_role(uow, Role("release manager", frozenset()))
        with pytest.raises(InvalidInput) as slug:
            await create_role(uow, Role("auditor", frozenset()))
    assert clash.value.field == "name" and slug.value.field == "name"


async def test_built_in_roles_cannot_be_changed_or_deleted(services):
    async with services.store.transaction() as uow:
        with pytest.raises(Conflict) as changed:
            await update_role(uow, "project-viewer", MANAGER)
        with pytest.raises(Conflict) as deleted:
            await delete_role(uow, "Approver")
    assert changed.value.message == (
        '"project-viewer" is a built-in role and cannot be changed; create a custom role instead'
    )
    assert "cannot be deleted" in deleted.value.message


async def test_a_role_held_by_a_team_cannot_be_deleted_and_the_refusal_names_the_team(services):
    await apply_yaml(services, HELD_BY_A_TEAM)
    async with services.store.transaction() as uow:
        [role] = await uow.roles.list()
        with pytest.raises(Conflict) as refused:
            await delete_role(uow, f"Roles-{role.id}")
    assert refused.value.message == (
        'the role "Release Manager" is held by the team "Release Managers"; take it off the team first'
    )
    async with services.store.transaction() as uow:
        team = await uow.teams.find_by_name("Release Managers")
        assert team is not None and team.id is not None
        await uow.teams.delete(team.id)
    async with services.store.transaction() as uow:
        await delete_role(uow, f"Roles-{role.id}")
        with pytest.raises(NotFound):
            await find_role_ref(uow, f"Roles-{role.id}")


async def test_renaming_a_role_keeps_it_on_its_teams_and_changing_it_changes_the_members_grants(services):
    await apply_yaml(services, HELD_BY_A_TEAM)
    async with services.store.transaction() as uow:
        [role] = await uow.roles.list()
        renamed = Role("Shipper", frozenset({Permission.RELEASE_CREATE, Permission.DEPLOYMENT_CREATE}))
        await update_role(uow, f"Roles-{role.id}", renamed)
    async with services.store.reading() as uow:
        team = await uow.teams.find_by_name("Release Managers")
        rita = await uow.users.get_by_username("rita")
    assert team is not None
    assert [r.role for r in team.roles] == ["Shipper"]
    assert allows(rita, Permission.DEPLOYMENT_CREATE, "Quotes", "Prod")
