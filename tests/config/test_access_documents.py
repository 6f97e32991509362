"""The access keys of the config document: custom roles, team role scopes, service accounts, and no passwords."""

from __future__ import annotations

import pytest

from seaway.config.documents import load_text, parse_document
from seaway.domain.permissions import Permission
from seaway.domain.users import TeamRole
from seaway.errors import InvalidInput


def parse(text: str):
    return parse_document(load_text(text))


def refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        parse(text)
    return refused.value


def test_custom_roles_are_read_with_their_permissions_and_paths():
    doc = parse(
        """
roles:
  - {name: Release Manager, description: ships releases, permissions: [release.create, deployment.create]}
  - {name: Reader, permissions: []}
"""
    )
    (manager, path), (reader, _) = doc.roles
    assert manager.name == "Release Manager" and manager.description == "ships releases"
    assert manager.permissions == {Permission.RELEASE_CREATE, Permission.DEPLOYMENT_CREATE}
    assert path == "roles[0]" and reader.permissions == frozenset()


def test_an_unknown_permission_names_its_path():
    refused = refusal("roles:\n  - {name: Release Manager, permissions: [release.create, release.delete]}\n")
    assert refused.field == "roles[0].permissions[1]"
    assert str(refused) == 'roles[0].permissions[1]: unknown permission "release.delete"'


def test_a_custom_role_may_not_take_a_built_in_slug_nor_be_listed_twice():
    builtin = refusal("roles:\n  - {name: Approver, permissions: [release.create]}\n")
    assert builtin.field == "roles[0].name" and "built-in role" in builtin.message
    twice = refusal("roles:\n  - {name: Ops, permissions: []}\n  - {name: ops, permissions: []}\n")
    assert twice.field == "roles[1].name" and "twice" in twice.message


def test_a_role_needs_a_name_and_its_permissions():
    assert refusal("roles:\n  - {name: Ops}\n").field == "roles[0].permissions"
    assert refusal("roles:\n  - {permissions: []}\n").field == "roles[0].name"
    assert refusal("roles:\n  - {name: Ops, permissions: [], colour: red}\n").field == "roles[0].colour"


def test_team_roles_are_read_with_their_scopes():
    doc = parse(
        """
teams:
  - name: Production Deployers
    members: [pat]
    roles: [{role: deployment-creator, environments: [Prod], projects: Quotes}, {role: project-viewer}]
"""
    )
    [(team, _)] = doc.teams
    assert team.roles == (
        TeamRole("deployment-creator", environments=("Prod",), projects=("Quotes",)),
        TeamRole("project-viewer"),
    )


def test_a_service_account_is_a_user_marked_so():
    doc = parse("users:\n  - {username: ci, display_name: Build server, service_account: true}\n  - {username: al}\n")
    (ci, path), (al, _) = doc.users
    assert ci.service_account and not al.service_account and path == "users[0]"
    assert refusal("users:\n  - {username: ci, service_account: yes please}\n").field == "users[0].service_account"


@pytest.mark.parametrize("key", ["password", "Password", "password_hash"])
def test_a_password_in_the_document_is_refused_naming_its_path(key):
    refused = refusal(f"users:\n  - {{username: al}}\n  - {{username: bo, {key}: hunter2}}\n")
    assert refused.field == f"users[1].{key}"
    assert str(refused) == (
        f"users[1].{key}: passwords are never accepted in YAML; use seaway admin set-password or the sign-in page"
    )
