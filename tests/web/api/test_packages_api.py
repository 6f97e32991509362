"""The built-in feed over HTTP, on both databases: pushes in each format and overwrite mode (ours and
Octopus's raw route), refusals that name the field and leave nothing behind, show, download and delete."""

from __future__ import annotations

import hashlib
import os

import pytest
from tests.fixtures.engine import SIMPLE_SPACE, add_user, apply_yaml
from tests.fixtures.nuget_feed import build_nupkg
from tests.fixtures.package_files import tar_gz_bytes, zip_bytes
from tests.fixtures.web import api_key_for, http_client

NO_VERSION = "<package><metadata><id>Quotes</id></metadata></package>"
APP = {"index.html": b"<h1>Random Quotes</h1>", "appsettings.json": b'{"App": {"Port": 8080}}'}


def files_of(name: str, data: bytes, part: str = "file"):
    return {part: (name, data, "application/octet-stream")}


async def push(api, name: str, data: bytes, **params):
    return await api.post("/packages", files=files_of(name, data), params=params)


def feed_files(services) -> list[str]:
    root = services.package_files.root
    return sorted(p.name for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("RandomQuotes.1.0.1.zip", zip_bytes(APP), "zip"),
        ("My.App.2.0.0-beta.1.tar.gz", tar_gz_bytes(APP), "tar.gz"),
        ("whatever-name.nupkg", build_nupkg("RandomQuotes.Web", "3.1.0", APP), "nupkg"),
    ],
)
async def test_a_pushed_package_is_listed_shown_and_downloaded_byte_for_byte(api, name, data, fmt):
    pushed = await push(api, name, data)

    assert pushed.status_code == 201, pushed.text
    body = pushed.json()
    assert body["outcome"] == "created" and body["format"] == fmt
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["size"] == len(data)
    package_id, version = body["package_id"], body["version"]
    assert (package_id, version) == {
        "zip": ("RandomQuotes", "1.0.1"),
        "tar.gz": ("My.App", "2.0.0-beta.1"),
        "nupkg": ("RandomQuotes.Web", "3.1.0"),  # from the nuspec, not the file name
    }[fmt]
    listed = (await api.get("/packages")).json()
    assert [(p["package_id"], p["version"]) for p in listed] == [(package_id, version)]
    shown = (await api.get(f"/packages/{package_id}/{version}")).json()
    assert shown["releases"] == [] and shown["pushed_by"] == body["pushed_by"] is not None
    download = await api.get(f"/packages/{package_id}/{version}/download")
    assert download.status_code == 200 and download.content == data


async def test_a_duplicate_is_a_409_unless_told_to_overwrite_or_ignore(api, services):
    first, second = zip_bytes(APP), zip_bytes({**APP, "extra.txt": b"new"})
    assert (await push(api, "RandomQuotes.1.0.1.zip", first)).status_code == 201

    duplicate = await push(api, "RandomQuotes.1.0.1.zip", second)
    ignored = await push(api, "RandomQuotes.1.0.1.zip", second, overwrite_mode="ignore")
    assert duplicate.status_code == 409 and "already in the built-in feed" in duplicate.json()["error"]["message"]
    assert ignored.status_code == 200 and ignored.json()["outcome"] == "ignored"
    assert ignored.json()["sha256"] == hashlib.sha256(first).hexdigest()  # the one pushed first stays

    replaced = await push(api, "RandomQuotes.1.0.1.zip", second, overwrite_mode="overwrite")
    assert replaced.status_code == 200 and replaced.json()["outcome"] == "replaced"
    assert (await api.get("/packages/RandomQuotes/1.0.1/download")).content == second
    assert len((await api.get("/packages")).json()) == 1


@pytest.mark.parametrize("part", ["fileToUpload", "file", "data"])
async def test_octopus_raw_push_takes_the_first_file_part_whatever_its_name(services, admin, part):
    key = await api_key_for(services, admin)
    async with http_client(services) as client:
        data = zip_bytes(APP)
        url = "http://seaway.test/api/Spaces-1/packages/raw"
        pushed = await client.post(
            url, files=files_of("RandomQuotes.1.0.1.zip", data, part), headers={"X-Octopus-ApiKey": key}
        )
        again = await client.post(
            url, files=files_of("RandomQuotes.1.0.1.zip", data, part), headers={"X-Octopus-ApiKey": key}
        )

    assert pushed.status_code == 200, pushed.text
    resource = pushed.json()
    assert resource["PackageId"] == "RandomQuotes" and resource["Version"] == "1.0.1"
    assert resource["FeedId"] == "feeds-builtin" and resource["Hash"] == hashlib.sha256(data).hexdigest()
    assert again.status_code == 409  # FailIfExists is the default
    assert "already in the built-in feed" in again.json()["ErrorMessage"]


@pytest.mark.parametrize(
    ("query", "outcome"),
    [
        ("overwriteMode=OverwriteExisting", "replaced"),
        ("overwriteMode=IgnoreIfExists", "ignored"),
        ("overwriteMode=IgnoreIfAlreadyExists", "ignored"),
        ("replace=true", "replaced"),
    ],
)
async def test_octopus_overwrite_modes(services, admin, query, outcome):
    key = await api_key_for(services, admin)
    headers = {"X-Octopus-ApiKey": key}
    async with http_client(services) as client:
        url = "http://seaway.test/api/packages/raw"
        first = await client.post(url, files=files_of("Quotes.2.0.0.zip", zip_bytes(APP)), headers=headers)
        second = await client.post(
            f"{url}?{query}", files=files_of("Quotes.2.0.0.zip", zip_bytes({"other": b"x"})), headers=headers
        )
        listed = await client.get("http://seaway.test/api/v1/packages", headers={"X-Seaway-ApiKey": key})

    assert first.status_code == 200 and second.status_code == 200, second.text
    expected = zip_bytes({"other": b"x"}) if outcome == "replaced" else zip_bytes(APP)
    assert listed.json()[0]["sha256"] == hashlib.sha256(expected).hexdigest()


async def test_octopus_errors_come_in_octopus_shape(services, admin):
    key = await api_key_for(services, admin)
    async with http_client(services) as client:
        bad_mode = await client.post(
            "http://seaway.test/api/Spaces-1/packages/raw?overwriteMode=Sometimes",
            files=files_of("Quotes.2.0.0.zip", zip_bytes(APP)),
            headers={"X-Octopus-ApiKey": key},
        )
        no_key = await client.post(
            "http://seaway.test/api/Spaces-1/packages/raw", files=files_of("Quotes.2.0.0.zip", zip_bytes(APP))
        )
        other_space = await client.post(
            "http://seaway.test/api/Spaces-9/packages/raw",
            files=files_of("Quotes.2.0.0.zip", zip_bytes(APP)),
            headers={"X-Octopus-ApiKey": key},
        )

    assert bad_mode.status_code == 400 and "overwriteMode" in bad_mode.json()["ErrorMessage"]
    assert no_key.status_code == 401 and no_key.json()["ErrorMessage"]
    assert other_space.status_code == 404 and "Spaces-9" in other_space.json()["ErrorMessage"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("Quotes.zip", zip_bytes(APP), "has no version in its name"),
        ("Quotes.1.0.0.rar", zip_bytes(APP), "rar"),
        ("Quotes.1.0.0.zip", b"this is not a zip file at all", "Quotes.1.0.0.zip"),
        ("Quotes.1.0.0.zip", zip_bytes({"../escape.txt": b"x"}), "escape.txt"),
        ("Quotes.1.0.0.tar.gz", tar_gz_bytes(APP)[:40], "Quotes.1.0.0.tar.gz"),
        (
            "Quotes.nupkg",
            zip_bytes({"Quotes.nuspec": "<package><metadata><id>Quotes</id></metadata></package>"}),
            "version",
        ),
        ("Quotes.nupkg", zip_bytes(APP), "nuspec"),
    ],
)
async def test_a_bad_package_is_refused_naming_it_and_leaves_nothing(api, services, name, data, message):
    response = await push(api, name, data)

    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]
    assert (await api.get("/packages")).json() == []
    assert feed_files(services) == []


async def test_a_package_over_the_size_limit_is_a_413_and_nothing_is_kept(api, services):
    services.settings.package_max_bytes = 1000
    response = await push(api, "Quotes.1.0.0.zip", zip_bytes({"big.bin": os.urandom(5000)}))

    assert response.status_code == 413 and response.json()["error"]["field"] == "file"
    assert feed_files(services) == []


async def test_a_hash_the_client_sent_is_checked(api, services):
    data = zip_bytes(APP)
    wrong = await api.post("/packages", files=files_of("Quotes.1.0.0.zip", data), params={"sha256": "0" * 64})
    right = await api.post(
        "/packages", files=files_of("Quotes.1.0.0.zip", data), params={"sha256": hashlib.sha256(data).hexdigest()}
    )

    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "sha256"
    assert right.status_code == 201


async def test_a_request_without_a_file_part_names_the_file(api):
    response = await api.post("/packages", data={"name": "x"}, files={})
    assert response.status_code == 422 and response.json()["error"]["field"] == "file"


PUBLISHER_SPACE = (
    SIMPLE_SPACE
    + """
teams:
  - {name: Build, members: [ci], roles: [{role: package-publisher}]}
  - {name: Readers, members: [reader], roles: [{role: project-viewer}]}
"""
)


async def test_pushing_needs_package_push_and_overwriting_needs_package_delete(services, api):
    ci, reader = await add_user(services, "ci"), await add_user(services, "reader")
    await apply_yaml(services, PUBLISHER_SPACE)
    async with (
        http_client(services, await api_key_for(services, ci)) as as_ci,
        http_client(services, await api_key_for(services, reader)) as as_reader,
    ):
        refused = await push(as_reader, "Quotes.1.0.0.zip", zip_bytes(APP))
        pushed = await push(as_ci, "Quotes.1.0.0.zip", zip_bytes(APP))
        overwrite = await push(as_ci, "Quotes.1.0.0.zip", zip_bytes(APP), overwrite_mode="overwrite")
        delete = await as_ci.delete("/packages/Quotes/1.0.0")
        seen = await as_reader.get("/packages")

    assert refused.status_code == 403 and "package.push" in refused.json()["error"]["message"]
    assert pushed.status_code == 201
    assert overwrite.status_code == 403 and "package.delete" in overwrite.json()["error"]["message"]
    assert delete.status_code == 403
    assert [p["version"] for p in seen.json()] == ["1.0.0"]
    events = (await api.get("/audit-events", params={"action": "package.pushed"})).json()
    assert [(e["actor"], e["entity_id"]) for e in events["items"]] == [("ci", "Quotes.1.0.0")]


async def test_a_package_a_release_deploys_cannot_be_deleted_and_the_refusal_names_the_release(api, services):
    await apply_yaml(
        services,
        SIMPLE_SPACE
        + """
projects:
  - name: Quotes
    process:
      - {name: Deploy, type: deploy-package, package: {id: Quotes}}
""",
    )
    await push(api, "Quotes.1.0.0.zip", zip_bytes(APP))
    release = await api.post("/projects/Quotes/releases", json={})

    refused = await api.delete("/packages/Quotes/1.0.0")
    shown = (await api.get("/packages/Quotes/1.0.0")).json()

    assert release.status_code == 201, release.text
    assert refused.status_code == 409 and "Quotes 0.0.1" in refused.json()["error"]["message"]
    assert [(r["project"], r["version"], r["step"]) for r in shown["releases"]] == [("Quotes", "0.0.1", "Deploy")]
    await push(api, "Quotes.2.0.0.zip", zip_bytes(APP))
    assert (await api.delete("/packages/Quotes/2.0.0")).status_code == 204
    assert [p["version"] for p in (await api.get("/packages")).json()] == ["1.0.0"]
