"""The JSON API: auth on every endpoint but health, problems that name the field, nothing half-written."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import SIMPLE_SPACE, project_yaml
from tests.fixtures.web import api_key_for, http_client

from seaway.domain.users import User

PROJECT = project_yaml(
    "Random Quotes",
    '      - {name: Hello, type: script, script: "echo hello #{Octopus.Environment.Name}"}\n',
    '      - {name: Db Password, value: "s3cret", sensitive: true}\n',
)


async def apply(api, text: str):
    return await api.post("/config/apply", content=text, headers={"Content-Type": "application/yaml"})


async def table_counts(services) -> dict[str, int]:
    import sqlalchemy as sa

    from seaway.store.tables import metadata

    async with services.store.transaction() as uow:
        return {
            t.name: (await uow.conn.execute(sa.select(sa.func.count()).select_from(t))).scalar_one()
            for t in metadata.sorted_tables
        }


async def test_health_needs_no_key(services):
    async with http_client(services) as client:
        response = await client.get("/health")
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/environments", "/projects", "/tasks", "/lifecycles", "/users", "/teams"])
async def test_every_other_endpoint_needs_a_valid_key(services, path):
    async with http_client(services) as anonymous, http_client(services, "API-WRONG") as wrong:
        assert (await anonymous.get(path)).status_code == 401
        response = await wrong.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_a_disabled_users_key_is_refused_as_a_key_that_no_longer_works(services):
    async with services.store.transaction() as uow:
        user = await uow.users.add(User("gone", active=False), services.clock.now())
    async with http_client(services, await api_key_for(services, user)) as client:
        response = await client.get("/projects")
    assert response.status_code == 401
    assert "disabled" in response.json()["error"]["message"]


async def test_openapi_is_served(services):
    async with http_client(services) as client:
        spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/releases/{release_id}/deployments" in spec["paths"]


async def test_a_release_and_deployment_record_who_created_them(services, api, admin):
    assert (await apply(api, PROJECT)).status_code == 200
    release = (await api.post("/projects/Random Quotes/releases", json={"notes": "first"})).json()
    assert release["version"] == "0.0.1"
    deployment = await api.post(f"/releases/{release['id']}/deployments", json={"environment": "Test"})
    assert deployment.status_code == 201
    body = deployment.json()
    assert body["created_by"] == f"Users-{admin.id}"
    assert body["task_id"].startswith("ServerTasks-")

    await services.worker.run_until_idle()

    task = (await api.get(f"/tasks/{body['task_id']}")).json()
    assert task["state"] == "success"
    log = (await api.get(f"/tasks/{body['task_id']}/log")).json()
    assert "hello Test" in [line["message"] for line in log["lines"]]


async def test_sensitive_values_are_never_returned(services, api):
    await apply(api, PROJECT)
    variables = (await api.get("/projects/Random Quotes/variables")).json()["variables"]
    assert variables == [{"name": "Db Password", "value": None, "scope": {}, "sensitive": True}]


async def test_applying_twice_changes_nothing_the_second_time(services, api):
    assert (await apply(api, PROJECT)).status_code == 200
    before = await table_counts(services)
    second = (await apply(api, PROJECT)).json()
    assert second["created"] == []
    assert second["updated"] == []
    assert await table_counts(services) == before


async def test_a_bad_document_names_the_yaml_path_and_changes_nothing(services, api):
    await apply(api, SIMPLE_SPACE)
    before = await table_counts(services)
    bad = (
        PROJECT.replace("environments: [Dev, Test, Prod]", "environments: [Dev, Test, Prod, Extra]")
        + """\
      - {name: Later, type: script, script: "true", environments: {skip: [Qa]}}
"""
    )
    response = await apply(api, bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "projects[0].process[1].environments.skip[0]"
    assert 'unknown environment "Qa"' in error["message"]
    assert await table_counts(services) == before


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("environments: [Dev, Dev]", "environments[1]"),
        ("projects: [{name: P, process: [{name: S, type: scirpt}]}]", "projects[0].process[0].type"),
        ("projects: [{name: P, process: [{name: S, type: script}]}]", "projects[0].process[0].script"),
        ("projects: [{name: P, lifecycle: Nope}]", "projects[0].lifecycle"),
        ("teams: [{name: T, members: [nobody]}]", "teams[0].members[0]"),
        ("projects: [{name: P, colour: red}]", "projects[0].colour"),
        ("users: [{username: a, email: not-an-address}]", "users[0].email"),
    ],
)
async def test_bad_documents_are_refused_with_the_path(services, api, document, field):
    response = await apply(api, document)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_malformed_yaml_is_a_clear_error(services, api):
    response = await apply(api, "environments: [Dev\n  broken")
    assert response.status_code == 422
    assert "not valid YAML" in response.json()["error"]["message"]


async def test_a_duplicate_release_version_is_a_conflict_and_writes_nothing(services, api):
    await apply(api, PROJECT)
    assert (await api.post("/projects/Random Quotes/releases", json={"version": "1.0.0"})).status_code == 201
    before = await table_counts(services)
    response = await api.post("/projects/Random Quotes/releases", json={"version": "1.0.0"})
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "version"
    assert await table_counts(services) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "not a version!"}, "version"),
        ({"version": 5}, "version"),
        ({"packages": {"No Such Step": "1.0"}}, "packages.No Such Step"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_release_input_names_the_field(services, api, body, field):
    await apply(api, PROJECT)
    before = await table_counts(services)
    response = await api.post("/projects/Random Quotes/releases", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert await table_counts(services) == before


async def test_a_deployment_the_lifecycle_forbids_is_refused_and_writes_nothing(services, api):
    await apply(api, PROJECT)
    release = (await api.post("/projects/Random Quotes/releases", json={})).json()
    before = await table_counts(services)
    response = await api.post(f"/releases/{release['id']}/deployments", json={"environment": "Prod"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "environment"
    assert "Test" in response.json()["error"]["message"]
    unknown = await api.post(f"/releases/{release['id']}/deployments", json={"environment": "Qa"})
    assert unknown.json()["error"]["field"] == "environment"
    assert await table_counts(services) == before


async def test_unknown_ids_are_404_and_malformed_ids_name_the_field(services, api):
    assert (await api.get("/tasks/ServerTasks-999")).status_code == 404
    malformed = await api.get("/tasks/banana")
    assert malformed.status_code == 422
    assert malformed.json()["error"]["field"] == "id"


async def test_malformed_json_is_a_400(services, api):
    response = await api.post("/environments", content="{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"]


async def test_environments_crud(services, api):
    created = await api.post("/environments", json={"name": "Staging"})
    assert created.status_code == 201
    env_id = created.json()["id"]
    assert (await api.post("/environments", json={"name": "staging"})).status_code == 409
    updated = await api.put(f"/environments/{env_id}", json={"name": "Stage", "description": "pre-prod"})
    assert updated.json()["name"] == "Stage"
    assert (await api.delete(f"/environments/{env_id}")).status_code == 204
    assert (await api.get(f"/environments/{env_id}")).status_code == 404


async def test_canceling_a_queued_task_through_the_api(services, api):
    await apply(api, PROJECT)
    release = (await api.post("/projects/Random Quotes/releases", json={})).json()
    deployment = (await api.post(f"/releases/{release['id']}/deployments", json={"environment": "Dev"})).json()
    canceled = await api.post(f"/tasks/{deployment['task_id']}/cancel")
    assert canceled.json()["cancel_requested"] is True

    await services.worker.run_until_idle()

    assert (await api.get(f"/tasks/{deployment['task_id']}")).json()["state"] == "canceled"
    again = await api.post(f"/tasks/{deployment['task_id']}/cancel")
    assert again.status_code == 409


@pytest.mark.parametrize("path", ["/lifecycles", "/teams", "/users", "/projects"])
async def test_a_missing_or_broken_json_body_is_a_400_naming_the_body(services, api, path):
    missing = await api.post(path)
    broken = await api.post(path, content=b'{"name": ', headers={"Content-Type": "application/json"})
    deep = await api.post(path, content=b"[" * 100_000, headers={"Content-Type": "application/json"})

    for response in (missing, broken, deep):
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_json"
        assert response.json()["error"]["field"] == "body"
    assert missing.json()["error"]["message"] == "the request needs a JSON body"


async def test_a_model_endpoint_without_a_body_says_so_too(services, api):
    response = await api.post("/environments")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_json",
        "message": "the request needs a JSON body",
        "field": "body",
    }


async def test_nul_characters_are_refused_in_urls_bodies_and_documents_and_nothing_is_written(services, api):
    before = await table_counts(services)

    in_url = await api.get("/projects/a%00b")
    in_query = await api.get("/tasks", params={"state": "a\x00"})
    in_model = await api.post("/environments", json={"name": "Prod", "description": "a\x00b"})
    in_node = await api.post("/teams", json={"name": "Ops\x00"})
    in_document = await apply(api, 'environments: ["Dev", "Te\\0st"]')

    assert in_url.status_code == in_query.status_code == 400
    assert in_url.json()["error"] == {
        "code": "invalid_input",
        "message": "the URL must not contain NUL characters",
        "field": "url",
    }
    assert in_model.status_code == 422 and in_model.json()["error"]["field"] == "description"
    assert in_model.json()["error"]["message"] == "description: must not contain NUL characters"
    assert in_node.status_code == 422 and in_node.json()["error"]["field"] == "name"
    assert in_document.status_code == 422 and in_document.json()["error"]["field"] == "environments[1]"
    assert await table_counts(services) == before


async def test_numbers_beyond_the_stores_integers_are_refused_and_the_last_order_is_shared(services, api):
    too_big = await api.post("/environments", json={"name": "Far", "sort_order": 2**31})
    at_the_end = await api.post("/environments", json={"name": "Last", "sort_order": 2**31 - 1})
    after_it = await api.post("/environments", json={"name": "After"})
    far_log = await api.get("/tasks/ServerTasks-1/log", params={"after": 2**31})
    far_id = await api.get("/deployments/Deployments-2147483648")

    assert too_big.status_code == 422 and too_big.json()["error"]["field"] == "sort_order"
    assert at_the_end.status_code == after_it.status_code == 201
    assert after_it.json()["sort_order"] == 2**31 - 1
    assert far_log.status_code == 422
    assert far_id.status_code == 422 and "is not a deployment id" in far_id.json()["error"]["message"]
