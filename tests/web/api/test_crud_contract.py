"""The shared CRUD contract, resource by resource and on both databases: exact statuses and error fields.

Each resource is one row: where it lives, a valid body for a name, the field that holds the name, and
what its id looks like. Every test runs over every row, so a resource that drifts from the shape fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest


@dataclass(frozen=True)
class Resource:
    path: str
    kind: str  # the id prefix: Environments-1
    body: Callable[[str], dict[str, Any]]
    name_field: str = "name"

    def __str__(self) -> str:
        return self.path.strip("/")


RESOURCES = [
    Resource("/environments", "Environments", lambda name: {"name": name, "description": "where it runs"}),
    Resource(
        "/lifecycles",
        "Lifecycles",
        lambda name: {"name": name, "phases": [{"name": "Only", "environments": ["Dev"]}]},
    ),
    Resource("/teams", "Teams", lambda name: {"name": name, "members": ["admin"]}),
    Resource("/users", "Users", lambda name: {"username": name, "display_name": name.title()}, "username"),
    Resource("/projects", "Projects", lambda name: {"name": name, "description": "a project"}),
    Resource("/roles", "Roles", lambda name: {"name": name, "permissions": ["release.create", "project.view"]}),
]


@pytest.fixture(params=RESOURCES, ids=str)
async def resource(request: pytest.FixtureRequest, api: httpx.AsyncClient) -> Resource:
    # A lifecycle's phase needs an environment that exists.
    assert (await api.post("/environments", json={"name": "Dev"})).status_code == 201
    return request.param


def renamed(resource: Resource, name: str) -> dict[str, Any]:
    return {**resource.body("ignored"), resource.name_field: name}


def error_of(response: httpx.Response) -> dict[str, Any]:
    return response.json()["error"]


async def test_create_is_201_and_read_returns_what_was_created(api, resource):
    created = await api.post(resource.path, json=resource.body("alpha"))

    assert created.status_code == 201, created.text
    entity = created.json()
    assert entity["id"].startswith(f"{resource.kind}-")
    assert entity[resource.name_field] == "alpha"
    read = await api.get(f"{resource.path}/{entity['id']}")
    assert read.status_code == 200
    assert read.json() == entity


async def test_list_is_200_and_holds_the_created_one(api, resource):
    entity = (await api.post(resource.path, json=resource.body("alpha"))).json()

    listed = await api.get(resource.path)

    assert listed.status_code == 200
    assert entity in listed.json()


async def test_update_is_200_and_is_what_read_returns(api, resource):
    entity = (await api.post(resource.path, json=resource.body("alpha"))).json()

    updated = await api.put(f"{resource.path}/{entity['id']}", json=renamed(resource, "beta"))

    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == entity["id"]
    assert updated.json()[resource.name_field] == "beta"
    assert (await api.get(f"{resource.path}/{entity['id']}")).json() == updated.json()


async def test_an_update_keeping_its_own_name_is_no_clash(api, resource):
    entity = (await api.post(resource.path, json=resource.body("alpha"))).json()

    again = await api.put(f"{resource.path}/{entity['id']}", json=resource.body("alpha"))

    assert again.status_code == 200, again.text


async def test_delete_is_204_and_then_the_id_is_unknown(api, resource):
    entity = (await api.post(resource.path, json=resource.body("alpha"))).json()

    deleted = await api.delete(f"{resource.path}/{entity['id']}")

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await api.get(f"{resource.path}/{entity['id']}")).status_code == 404
    assert entity not in (await api.get(resource.path)).json()


async def test_a_name_already_taken_is_409_naming_the_field_on_create_and_update(api, resource):
    await api.post(resource.path, json=resource.body("alpha"))
    other = (await api.post(resource.path, json=resource.body("beta"))).json()

    on_create = await api.post(resource.path, json=resource.body("alpha"))
    on_update = await api.put(f"{resource.path}/{other['id']}", json=renamed(resource, "alpha"))

    for response in (on_create, on_update):
        assert response.status_code == 409, response.text
        assert error_of(response)["code"] == "conflict"
        assert error_of(response)["field"] == resource.name_field
    assert (await api.get(f"{resource.path}/{other['id']}")).json()[resource.name_field] == "beta"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_an_unknown_id_is_404(api, resource, method):
    body = resource.body("alpha") if method == "PUT" else None

    response = await api.request(method, f"{resource.path}/{resource.kind}-999", json=body)

    assert response.status_code == 404, response.text
    assert error_of(response)["code"] == "not_found"


# A project is also found by its name, so any text is a reference to one: no malformed project ids.
@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.path != "/projects"], ids=str, indirect=True)
async def test_a_malformed_id_is_422_naming_the_id(api, resource):
    response = await api.get(f"{resource.path}/banana")

    assert response.status_code == 422
    assert error_of(response)["field"] == "id"


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_a_body_that_is_not_json_is_400_naming_the_body(api, resource, method):
    entity = (await api.post(resource.path, json=resource.body("alpha"))).json()
    path = resource.path if method == "POST" else f"{resource.path}/{entity['id']}"

    broken = await api.request(method, path, content=b'{"name": ', headers={"Content-Type": "application/json"})
    missing = await api.request(method, path)

    for response in (broken, missing):
        assert response.status_code == 400, response.text
        assert error_of(response)["code"] == "invalid_json"
        assert error_of(response)["field"] == "body"


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_a_body_of_the_wrong_shape_is_422_naming_the_field_and_writes_nothing(api, resource, method):
    entity = (await api.post(resource.path, json=resource.body("alpha"))).json()
    path = resource.path if method == "POST" else f"{resource.path}/{entity['id']}"

    unknown_field = await api.request(method, path, json={**resource.body("beta"), "colour": "red"})
    no_name = {k: v for k, v in resource.body("beta").items() if k != resource.name_field}
    missing_name = await api.request(method, path, json=no_name)

    assert unknown_field.status_code == 422, unknown_field.text
    assert error_of(unknown_field) | {"message": None} == {"code": "invalid_input", "message": None, "field": "colour"}
    assert missing_name.status_code == 422, missing_name.text
    assert error_of(missing_name)["field"] == resource.name_field
    assert [e[resource.name_field] for e in (await api.get(resource.path)).json()].count("beta") == 0
