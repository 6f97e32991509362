"""`POST /api/{spaceId}/releases/create/v1` as Octopus's clients send it, on both databases."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import apply_yaml
from tests.fixtures.octopus import PACKAGES_SPACE, SPACE, create_release, octopus_as, push


@pytest.fixture
async def octopus(services, admin):
    await apply_yaml(services, PACKAGES_SPACE)
    async with octopus_as(services, admin) as client:
        for name in ("RandomQuotes.1.0.0", "RandomQuotes.1.0.1", "RandomQuotes.1.1.0", "RandomQuotes.Worker.2.0.0"):
            await push(client, f"{name}.zip")
        await push(client, "RandomQuotes.Worker.2.1.0.zip")
        yield client


async def packages_of(client, release_id: str) -> dict[str, str]:
    response = await client.get(f"{SPACE}/releases/{release_id}")
    assert response.status_code == 200, response.text
    return {p["StepName"]: p["Version"] for p in response.json()["SelectedPackages"]}


async def created(client, **body) -> dict[str, str]:
    response = await create_release(client, **body)
    assert response.status_code == 201, response.text
    return await packages_of(client, response.json()["ReleaseId"])


async def test_the_create_release_action_body_creates_a_release_with_the_version_given(octopus):
    # What create-release-action sends, captured from the client.
    response = await octopus.post(
        f"{SPACE}/releases/create/v1",
        json={
            "spaceId": "Spaces-1",
            "spaceIdOrName": "Default",
            "spaceName": "Default",
            "ProjectName": "Random Quotes",
            "ReleaseVersion": "1.0.1",
            "Packages": ["RandomQuotes:1.0.1"],
            "ReleaseNotes": "From CI",
            "IgnoreChannelRules": False,
            "CustomFields": {},
            "GitResources": [],
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {"ReleaseId": body["ReleaseId"], "ReleaseVersion": "1.0.1"}
    assert body["ReleaseId"].startswith("Releases-")
    release = (await octopus.get(f"{SPACE}/releases/{body['ReleaseId']}")).json()
    assert (release["Version"], release["ReleaseNotes"], release["ChannelName"]) == ("1.0.1", "From CI", "Default")
    assert await packages_of(octopus, body["ReleaseId"]) == {
        "Deploy web": "1.0.1",
        "Deploy docs": "1.0.1",
        "Deploy worker": "2.1.0",
    }


async def test_keys_bind_in_any_case_and_unknown_keys_are_ignored(octopus):
    # The Go CLI sends camelCase throughout.
    camel = await create_release(
        octopus,
        projectName="Random Quotes",
        releaseVersion="2.0.0",
        packageVersion="2.0.0",
        packages=["randomquotes:1.0.0"],
        releaseNotes="camel",
        whatever={"x": 1},
    )
    shouting = await create_release(octopus, PROJECTNAME="random quotes", RELEASEVERSION="2.0.1", GitRef="main")

    assert camel.status_code == shouting.status_code == 201, camel.text + shouting.text
    assert camel.json()["ReleaseVersion"] == "2.0.0" and shouting.json()["ReleaseVersion"] == "2.0.1"
    assert await packages_of(octopus, camel.json()["ReleaseId"]) == {
        "Deploy web": "1.0.0",
        "Deploy docs": "1.0.0",
        "Deploy worker": "2.0.0",
    }
    release = (await octopus.get(f"{SPACE}/releases/{camel.json()['ReleaseId']}")).json()
    assert release["ReleaseNotes"] == "camel"


async def test_the_three_package_forms_and_wildcards(octopus):
    by_step = await created(octopus, ProjectName="Random Quotes", Packages=["Deploy docs:1.0.0"])
    by_package = await created(octopus, ProjectName="Random Quotes", Packages=["RandomQuotes:1.0.0"])
    by_step_and_package = await created(
        octopus, ProjectName="Random Quotes", Packages=["Deploy worker:RandomQuotes.Worker:2.0.0"]
    )
    wildcard = await created(octopus, ProjectName="Random Quotes", Packages=["*:RandomQuotes:1.0.1", ":2.0.0"])

    assert by_step == {"Deploy web": "1.1.0", "Deploy docs": "1.0.0", "Deploy worker": "2.1.0"}
    assert by_package == {"Deploy web": "1.0.0", "Deploy docs": "1.0.0", "Deploy worker": "2.1.0"}
    assert by_step_and_package == {"Deploy web": "1.1.0", "Deploy docs": "1.1.0", "Deploy worker": "2.0.0"}
    assert wildcard == {"Deploy web": "1.0.1", "Deploy docs": "1.0.1", "Deploy worker": "2.0.0"}


async def test_package_version_is_the_default_that_a_spec_overrides(octopus):
    pinned = await created(
        octopus, ProjectName="Random Quotes", PackageVersion="1.0.0", Packages=["RandomQuotes.Worker:2.0.0"]
    )
    assert pinned == {"Deploy web": "1.0.0", "Deploy docs": "1.0.0", "Deploy worker": "2.0.0"}


async def test_without_a_version_the_next_one_is_allocated_and_every_step_takes_the_latest(octopus):
    # What the action sends with no inputs but the project.
    first = await create_release(octopus, ProjectName="Random Quotes", Packages=[], CustomFields={})
    second = await create_release(octopus, ProjectName="Random Quotes")

    assert first.status_code == second.status_code == 201
    assert [first.json()["ReleaseVersion"], second.json()["ReleaseVersion"]] == ["0.0.1", "0.0.2"]
    assert await packages_of(octopus, first.json()["ReleaseId"]) == {
        "Deploy web": "1.1.0",
        "Deploy docs": "1.1.0",
        "Deploy worker": "2.1.0",
    }


async def test_a_project_id_names_the_project_too(octopus):
    project = (await octopus.get(f"{SPACE}/projects/Random%20Quotes")).json()
    response = await create_release(octopus, ProjectName=project["Id"], ReleaseVersion="3.0.0")
    assert response.status_code == 201, response.text


async def test_an_existing_version_is_a_400_unless_ignore_if_already_exists(octopus):
    first = await create_release(octopus, ProjectName="Random Quotes", ReleaseVersion="1.0.1")
    again = await create_release(octopus, ProjectName="Random Quotes", ReleaseVersion="1.0.1")
    ignored = await create_release(
        octopus, ProjectName="Random Quotes", ReleaseVersion="1.0.1", IgnoreIfAlreadyExists=True, PackageVersion="9.9"
    )

    assert again.status_code == 400
    assert again.json()["ErrorMessage"] == (
        'release 1.0.1 of "Random Quotes" already exists; send IgnoreIfAlreadyExists: true to get the existing '
        "release instead"
    )
    assert again.json()["Field"] == "ReleaseVersion" and again.json()["Errors"] == []
    assert ignored.status_code == 201
    assert ignored.json() == first.json()


async def test_an_unknown_project_is_a_404_naming_it(octopus):
    response = await create_release(octopus, ProjectName="Random Quotez")
    assert response.status_code == 404
    assert response.json() == {"ErrorMessage": "project Random Quotez does not exist", "Errors": []}


async def test_a_missing_package_version_is_a_400_naming_the_step_and_the_package(octopus):
    response = await create_release(octopus, ProjectName="Random Quotes", Packages=["Deploy worker:9.9.9"])
    assert response.status_code == 400
    assert response.json()["ErrorMessage"] == (
        'step "Deploy worker": the built-in feed has no version 9.9.9 of package "RandomQuotes.Worker"'
    )
    assert (await octopus.get("/api/v1/projects/Random%20Quotes/releases")).json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Packages": ["Deploy web:1.0.0", "1.0.0"]}, "Packages[1]"),
        ({"Packages": ["Nope:1.0.0"]}, "Packages[0]"),
        ({"Packages": "RandomQuotes:1.0.0"}, "Packages"),
        ({"ReleaseVersion": "not a version"}, "ReleaseVersion"),
        ({"ChannelName": "Nightly"}, "channel"),
        ({"IgnoreIfAlreadyExists": "yes"}, "IgnoreIfAlreadyExists"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(octopus, body, field):
    response = await create_release(octopus, ProjectName="Random Quotes", **body)
    assert response.status_code == 400, response.text
    assert response.json()["Field"] == field


async def test_a_missing_project_name_and_a_body_that_is_not_json_are_400s(octopus):
    missing = await create_release(octopus, ReleaseVersion="1.0.0")
    broken = await octopus.post(
        f"{SPACE}/releases/create/v1", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert missing.status_code == broken.status_code == 400
    assert missing.json() == {"ErrorMessage": "ProjectName is required", "Errors": [], "Field": "ProjectName"}
