"""Octopus's untenanted deployment create and the look-ups deploy-release-action makes after it; keys, the
error shape for unknown routes, and the 401s, on both databases."""

from __future__ import annotations

import httpx
import pytest
from tests.fixtures.engine import apply_yaml
from tests.fixtures.octopus import PACKAGES_SPACE, SPACE, create_release, deploy, octopus_as, octopus_client, task_ids
from tests.fixtures.web import api_key_for

from seaway.web.app import create_app


@pytest.fixture
async def octopus(services, admin):
    await apply_yaml(services, PACKAGES_SPACE)
    async with octopus_as(services, admin) as client:
        response = await create_release(client, ProjectName="Hello", ReleaseVersion="1.0.1")
        assert response.status_code == 201, response.text
        yield client


async def test_one_deployment_and_task_per_environment_and_the_look_ups_pair_them(octopus):
    # What deploy-release-action sends, captured from the client.
    response = await octopus.post(
        f"{SPACE}/deployments/create/untenanted/v1",
        json={
            "spaceId": "Spaces-1",
            "spaceIdOrName": "Default",
            "spaceName": "Default",
            "ProjectName": "Hello",
            "ReleaseVersion": "1.0.1",
            "EnvironmentNames": ["Dev", "test"],
            "Variables": {},
            "UseGuidedFailure": False,
            "SkipStepNames": [],
        },
    )

    assert response.status_code == 200, response.text
    entries = response.json()["DeploymentServerTasks"]
    assert len(entries) == 2 and len({e["ServerTaskId"] for e in entries}) == 2
    # The action's follow-up: the deployments by id (comma-joined), then their environments.
    ids = ",".join(e["DeploymentId"] for e in entries)
    deployments = (await octopus.get(f"{SPACE}/deployments", params={"take": 2, "ids": ids})).json()["Items"]
    by_task = {d["TaskId"]: d for d in deployments}
    assert set(by_task) == {e["ServerTaskId"] for e in entries}
    environment_ids = ",".join(d["EnvironmentId"] for d in deployments)
    v2 = await octopus.get(f"{SPACE}/environments/v2", params={"ids": environment_ids, "skip": 0, "take": 2})
    assert v2.status_code == 404
    environments = (await octopus.get(f"{SPACE}/environments", params={"take": 2, "ids": environment_ids})).json()
    names = {e["Id"]: e["Name"] for e in environments["Items"]}
    assert sorted(names[by_task[e["ServerTaskId"]]["EnvironmentId"]] for e in entries) == ["Dev", "Test"]
    first = deployments[0]
    assert first["ReleaseId"].startswith("Releases-") and first["ProjectId"].startswith("Projects-")
    assert first["SpaceId"] == "Spaces-1" and first["Name"].startswith("Deploy to ")


async def test_environments_by_id_in_any_case_each_once_with_variables_and_comments(octopus):
    environments = (await octopus.get(f"{SPACE}/environments")).json()["Items"]
    dev = next(e for e in environments if e["Name"] == "Dev")

    response = await deploy(
        octopus,
        projectName="Hello",
        releaseVersion="1.0.1",
        environmentNames=[dev["Id"], "DEV", "dev"],
        comments="from CI",
    )

    [task_id] = task_ids(response)
    [entry] = response.json()["DeploymentServerTasks"]
    # An id of another kind, or no id at all, matches nothing.
    filtered = await octopus.get(f"{SPACE}/deployments?ids=x,Releases-1,{entry['DeploymentId']}")
    [deployment] = filtered.json()["Items"]
    assert deployment["TaskId"] == task_id
    assert deployment["Comments"] == "from CI" and deployment["EnvironmentId"] == dev["Id"]
    assert (await octopus.get(f"{SPACE}/deployments")).json()["TotalResults"] == 1


async def test_a_lifecycle_refusal_creates_no_deployment_at_all(octopus):
    response = await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.1", EnvironmentNames=["Test", "Prod"])

    assert response.status_code == 400
    message = response.json()["ErrorMessage"]
    assert message.startswith("release 1.0.1 cannot be deployed to Prod yet: ")
    assert (await octopus.get(f"{SPACE}/deployments")).json()["Items"] == []


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"ProjectName": "Nope", "ReleaseVersion": "1.0.1"}, 404, "project Nope does not exist"),
        ({"ProjectName": "Hello", "ReleaseVersion": "9.9.9"}, 404, '"Hello" has no release 9.9.9'),
        ({"ProjectName": "Hello", "ReleaseVersion": "1.0.1", "EnvironmentNames": ["Staging"]}, 400, None),
        ({"ProjectName": "Hello", "ReleaseVersion": "1.0.1", "EnvironmentNames": []}, 400, None),
        ({"ProjectName": "Hello"}, 400, "ReleaseVersion is required"),
        ({"ProjectName": "Hello", "ReleaseVersion": "1.0.1", "Variables": {"a": 1}}, 400, None),
    ],
)
async def test_refusals_say_why(octopus, body, status, message):
    response = await deploy(octopus, **{"EnvironmentNames": ["Dev"], **body})

    assert response.status_code == status, response.text
    if message is not None:
        assert response.json()["ErrorMessage"] == message
    assert (await octopus.get(f"{SPACE}/deployments")).json()["Items"] == []


async def test_an_unknown_environment_is_named(octopus):
    response = await deploy(octopus, ProjectName="Hello", ReleaseVersion="1.0.1", EnvironmentNames=["Staging"])
    assert response.json()["ErrorMessage"] == 'unknown environment "Staging"'


async def test_lists_page_with_skip_and_take_and_filter_by_comma_joined_ids(octopus):
    environments = (await octopus.get(f"{SPACE}/environments")).json()
    page = (await octopus.get(f"{SPACE}/environments", params={"skip": 1, "take": 1})).json()
    by_ids = await octopus.get(f"{SPACE}/environments?ids=Environments-1,Environments-3")
    named = (await octopus.get(f"{SPACE}/environments", params={"partialName": "ro"})).json()

    assert [e["Name"] for e in environments["Items"]] == ["Dev", "Test", "Prod"]
    assert environments["ItemType"] == "Environment" and environments["TotalResults"] == 3
    assert [e["Name"] for e in page["Items"]] == ["Test"]
    assert (page["TotalResults"], page["ItemsPerPage"], page["NumberOfPages"], page["LastPageNumber"]) == (3, 1, 3, 2)
    assert [e["Id"] for e in by_ids.json()["Items"]] == ["Environments-1", "Environments-3"]
    assert [e["Name"] for e in named["Items"]] == ["Prod"]
    assert set(environments["Items"][0]) >= {"Id", "Name", "Description", "SortOrder", "SpaceId"}


async def test_projects_by_name_id_and_list(octopus):
    listed = (await octopus.get(f"{SPACE}/projects", params={"partialName": "hel"})).json()["Items"]
    by_id = await octopus.get(f"{SPACE}/projects/{listed[0]['Id']}")
    by_name = await octopus.get(f"{SPACE}/projects/hello")
    unknown = await octopus.get(f"{SPACE}/projects/Nope")

    assert [p["Name"] for p in listed] == ["Hello"]
    assert by_id.json() == by_name.json() and by_id.json()["Name"] == "Hello"
    assert unknown.status_code == 404


async def test_another_space_and_unknown_routes_are_404s_in_octopus_shape(octopus):
    other_space = await octopus.get("/api/Spaces-2/environments")
    by_name = await octopus.get("/api/default/environments")
    unknown = await octopus.get(f"{SPACE}/machines")
    tenanted = await octopus.post(f"{SPACE}/deployments/create/tenanted/v1", json={})

    assert other_space.status_code == unknown.status_code == tenanted.status_code == 404
    assert set(unknown.json()) == {"ErrorMessage", "Errors"}
    assert by_name.status_code == 200


async def test_bad_query_parameters_are_400s_in_octopus_shape(octopus):
    response = await octopus.get(f"{SPACE}/tasks", params={"skip": -1})
    assert response.status_code == 400
    assert response.json()["Field"] == "skip"


async def test_a_bad_or_missing_key_is_a_401_that_names_octopus_s_header(services, octopus):
    async with octopus_client(services, "API-NOTAKEY") as bad, octopus_client(services, "") as empty:
        wrong = await bad.get(f"{SPACE}/environments")
        blank = await empty.post(f"{SPACE}/releases/create/v1", json={"ProjectName": "Hello"})
    async with octopus_client(services, None) as anonymous:
        root = await anonymous.get("/api")
        none = await anonymous.get(f"{SPACE}/tasks")
        seaway = await anonymous.get("/api/v1/tasks")

    assert wrong.status_code == blank.status_code == none.status_code == 401
    assert wrong.json() == {"ErrorMessage": "the API key is not valid", "Errors": []}
    assert blank.json()["ErrorMessage"] == "an API key is required (X-Octopus-ApiKey header or Authorization: Bearer)"
    assert root.status_code == 200
    assert (
        seaway.json()["error"]["message"] == "an API key is required (X-Seaway-ApiKey header or Authorization: Bearer)"
    )


async def test_a_bearer_token_works_as_well(services, admin, octopus):
    key = await api_key_for(services, admin)
    async with octopus_client(services, None) as client:
        response = await client.get(f"{SPACE}/environments", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


async def test_behind_a_proxy_that_passes_its_prefix_the_routes_and_their_errors_are_octopus_s(services, admin):
    key = await api_key_for(services, admin)
    transport = httpx.ASGITransport(app=create_app(services), root_path="/octopus")
    async with httpx.AsyncClient(transport=transport, base_url="http://seaway.test/octopus") as client:
        listed = await client.get("/api/Spaces-1/environments", headers={"X-Octopus-ApiKey": key})
        anonymous = await client.get("/api/Spaces-1/environments")

    assert listed.status_code == 200 and listed.json()["ItemType"] == "Environment"
    assert anonymous.status_code == 401
    assert anonymous.json()["ErrorMessage"].startswith("an API key is required (X-Octopus-ApiKey header")
