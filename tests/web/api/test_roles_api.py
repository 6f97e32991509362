"""Roles under /api/v1 and the team roles that name them: built-in roles listed and read only, custom ones
edited, and every bad name refused naming its field, with nothing written."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import SIMPLE_SPACE, apply_yaml
from tests.fixtures.web import api_key_for, http_client

from seaway.domain.roles import BUILTIN_ROLES


def error_of(response):
    return response.json()["error"]


async def test_the_list_holds_the_built_in_roles_by_slug_then_the_custom_ones(api):
    created = await api.post("/roles", json={"name": "Release Manager", "permissions": ["release.create"]})

    listed = (await api.get("/roles")).json()

    assert created.status_code == 201
    assert [r["id"] for r in listed] == [*BUILTIN_ROLES, created.json()["id"]]
    approver = next(r for r in listed if r["id"] == "approver")
    assert approver["builtin"] is True and "interruption.decide" in approver["permissions"]
    assert created.json() == {
        "id": created.json()["id"],
        "name": "Release Manager",
        "description": "",
        "permissions": ["release.create"],
        "builtin": False,
    }
    assert (await api.get("/roles/approver")).json() == approver


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_a_built_in_role_cannot_be_changed_or_deleted(api, method):
    body = {"name": "Viewer", "permissions": []} if method == "PUT" else None

    response = await api.request(method, "/roles/project-viewer", json=body)

    assert response.status_code == 409
    assert "is a built-in role" in error_of(response)["message"]


async def test_an_unknown_permission_names_its_index_and_nothing_is_written(api):
    response = await api.post("/roles", json={"name": "Ops", "permissions": ["project.view", "project.destroy"]})

    assert response.status_code == 422
    assert error_of(response)["field"] == "permissions[1]"
    assert 'unknown permission "project.destroy"' in error_of(response)["message"]
    assert [r["name"] for r in (await api.get("/roles")).json() if not r["builtin"]] == []


async def test_a_built_in_slug_is_not_a_custom_role_name(api):
    response = await api.post("/roles", json={"name": "Auditor", "permissions": []})
    assert response.status_code == 422 and error_of(response)["field"] == "name"


async def test_a_role_a_team_holds_cannot_be_deleted_and_the_refusal_names_the_team(api):
    role = (await api.post("/roles", json={"name": "Release Manager", "permissions": ["release.create"]})).json()
    team = await api.post("/teams", json={"name": "Shippers", "members": ["admin"], "roles": [{"role": role["name"]}]})

    refused = await api.delete(f"/roles/{role['id']}")

    assert team.status_code == 201
    assert refused.status_code == 409 and '"Shippers"' in error_of(refused)["message"]


async def test_reading_roles_needs_role_view_and_writing_them_role_edit(services, api):
    await apply_yaml(
        services,
        SIMPLE_SPACE
        + "users: [{username: vic}]\nteams: [{name: V, members: [vic], roles: [{role: project-viewer}]}]\n",
    )
    async with services.store.reading() as uow:
        vic = await uow.users.get_by_username("vic")
    async with http_client(services, await api_key_for(services, vic)) as client:
        listed = await client.get("/roles")
        created = await client.post("/roles", json={"name": "Mine", "permissions": []})
    assert listed.status_code == created.status_code == 403
    assert error_of(listed)["message"] == "missing permission role.view"


# -- teams naming roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "field", "message"),
    [
        ([{"role": "project-viewer"}, {"role": "Deployer"}], "roles[1].role", 'unknown role "Deployer"'),
        ([{"role": "approver", "environments": ["Dev", "Qa"]}], "roles[0].environments[1]", 'environment "Qa"'),
        ([{"role": "approver", "projects": "Shop"}], "roles[0].projects[0]", 'unknown project "Shop"'),
    ],
)
async def test_a_team_naming_an_unknown_role_or_scope_is_refused_naming_the_field(api, roles, field, message):
    assert (await api.post("/environments", json={"name": "Dev"})).status_code == 201

    created = await api.post("/teams", json={"name": "Ops", "members": ["admin"], "roles": roles})

    assert created.status_code == 422, created.text
    assert error_of(created)["field"] == field and message in error_of(created)["message"]
    assert (await api.get("/teams")).json() == []


async def test_a_team_may_hold_a_custom_role_and_a_scope_that_exists(api):
    assert (await api.post("/environments", json={"name": "Prod"})).status_code == 201
    await api.post("/roles", json={"name": "Release Manager", "permissions": ["release.create"]})

    roles = [{"role": "release manager", "environments": ["prod"]}, {"role": "deployment-creator"}]
    created = await api.post("/teams", json={"name": "Ops", "members": ["admin"], "roles": roles})

    assert created.status_code == 201, created.text
