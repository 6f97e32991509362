import dataclasses
import hashlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.fixtures.nuget_feed import StaticNuGetFeed, nuget_feed

from seaway.errors import PackageUnavailable
from seaway.packages.nuget import NuGetFeed, normalized_version

__all__ = ["nuget_feed"]  # a fixture: pytest finds it by name in this module

APP_FILES = {"appsettings.json": b'{"App": {"Port": 5000}}', "Deploy.sh": b"#!/bin/sh\necho deployed\n"}


@pytest.fixture
async def client(nuget_feed: StaticNuGetFeed) -> AsyncIterator[NuGetFeed]:
    async with NuGetFeed(nuget_feed.as_feed(), timeout=10.0) as feed:
        yield feed


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def test_versions_are_listed_as_the_flat_container_writes_them(nuget_feed, client):
    for version in ("1.0.0", "1.0.1", "2.0.0-beta.1"):
        nuget_feed.add_package("RandomQuotes", version, APP_FILES)

    assert await client.versions("RandomQuotes") == ["1.0.0", "1.0.1", "2.0.0-beta.1"]
    assert await client.versions("randomquotes") == ["1.0.0", "1.0.1", "2.0.0-beta.1"]

    paths = [r.path for r in nuget_feed.requests]
    assert paths.count("/index.json") == 1  # the service index is read once per client
    assert paths.count("/v3-flatcontainer/randomquotes/index.json") == 2
    assert all(r.authorized for r in nuget_feed.requests)


async def test_a_download_is_the_served_file_with_its_hash_and_size(nuget_feed, client, tmp_path):
    served = nuget_feed.add_package("RandomQuotes", "1.0.1", APP_FILES)
    destination = tmp_path / "cache" / "RandomQuotes.1.0.1.nupkg"

    downloaded = await client.download("RandomQuotes", "1.0.1", destination)

    assert downloaded.path == destination
    assert destination.read_bytes() == served
    assert downloaded.sha256 == hashlib.sha256(served).hexdigest()
    assert downloaded.size == len(served)
    assert leftovers(destination.parent) == ["RandomQuotes.1.0.1.nupkg"]
    assert nuget_feed.requests[-1].path == "/v3-flatcontainer/randomquotes/1.0.1/randomquotes.1.0.1.nupkg"


async def test_a_version_is_asked_for_in_its_normalized_lower_case_form(nuget_feed, client, tmp_path):
    served = nuget_feed.add_package("RandomQuotes", "2.0.0-beta.1", APP_FILES)

    downloaded = await client.download("RandomQuotes", "2.0-BETA.1+build.7", tmp_path / "p.nupkg")

    assert downloaded.sha256 == hashlib.sha256(served).hexdigest()


@pytest.mark.parametrize(
    ("written", "normalized"),
    [("1.0", "1.0.0"), ("1.0.0.0", "1.0.0"), ("1.2.3.4", "1.2.3.4"), ("01.2.3-Beta+sha.5", "1.2.3-beta")],
)
def test_normalized_versions_follow_nuget(written, normalized):
    assert normalized_version(written) == normalized


async def test_a_hash_other_than_the_expected_one_leaves_no_file(nuget_feed, client, tmp_path):
    nuget_feed.add_package("RandomQuotes", "1.0.1", APP_FILES)
    destination = tmp_path / "cache" / "RandomQuotes.1.0.1.nupkg"

    with pytest.raises(PackageUnavailable, match=r'feed "Artifactory" sent RandomQuotes 1\.0\.1 with SHA-256 '):
        await client.download("RandomQuotes", "1.0.1", destination, expected_sha256="0" * 64)

    assert leftovers(destination.parent) == []


async def test_the_wrong_password_is_refused_naming_the_feed_and_401(nuget_feed, tmp_path):
    async with NuGetFeed(nuget_feed.as_feed(password="wrong")) as feed:
        with pytest.raises(PackageUnavailable) as raised:
            await feed.versions("RandomQuotes")

    assert str(raised.value) == 'feed "Artifactory" refused the credentials (HTTP 401)'
    assert raised.value.retryable is False
    assert raised.value.entity == "feed"
    assert raised.value.id == "Artifactory"


async def test_credentials_changed_on_the_server_are_refused_on_download(nuget_feed, client, tmp_path):
    nuget_feed.add_package("RandomQuotes", "1.0.1", APP_FILES)
    assert await client.versions("RandomQuotes") == ["1.0.1"]
    nuget_feed.credentials = ("deployer", "rotated")

    with pytest.raises(PackageUnavailable, match=r'^feed "Artifactory" refused the credentials \(HTTP 401\)$'):
        await client.download("RandomQuotes", "1.0.1", tmp_path / "p.nupkg")
    assert leftovers(tmp_path) == ["nuget-feed"]


async def test_a_feed_that_wants_credentials_says_none_are_set(nuget_feed):
    async with NuGetFeed(nuget_feed.as_feed(username=None, password=None)) as feed:
        with pytest.raises(PackageUnavailable, match=r"asks for credentials and none are set \(HTTP 401\)"):
            await feed.check()


async def test_an_open_feed_needs_no_credentials(tmp_path):
    open_feed = StaticNuGetFeed(tmp_path / "open", credentials=None).start()
    try:
        open_feed.add_package("RandomQuotes", "1.0.0", APP_FILES)
        async with NuGetFeed(open_feed.as_feed(username=None, password=None)) as feed:
            assert await feed.versions("RandomQuotes") == ["1.0.0"]
    finally:
        open_feed.stop()


async def test_a_stopped_feed_cannot_be_reached_even_over_a_kept_alive_connection(nuget_feed, client):
    nuget_feed.add_package("RandomQuotes", "1.0.1", APP_FILES)
    await client.check()
    nuget_feed.stop()

    with pytest.raises(PackageUnavailable) as raised:
        await client.versions("RandomQuotes")

    message = str(raised.value)
    assert message.startswith(
        f'feed "Artifactory" cannot be reached at {nuget_feed.base_url}/v3-flatcontainer/randomquotes/index.json: '
    )
    assert raised.value.retryable is True


async def test_a_feed_down_from_the_start_cannot_be_reached_at_its_service_index(nuget_feed):
    nuget_feed.stop()
    async with NuGetFeed(nuget_feed.as_feed()) as feed:
        with pytest.raises(PackageUnavailable, match=rf'^feed "Artifactory" cannot be reached at {nuget_feed.url}: .+'):
            await feed.check()


async def test_an_unknown_package(client):
    with pytest.raises(PackageUnavailable, match=r'^feed "Artifactory" has no package "RandomQuotes"$'):
        await client.versions("RandomQuotes")


async def test_an_unknown_version_leaves_no_file(nuget_feed, client, tmp_path):
    nuget_feed.add_package("RandomQuotes", "1.0.1", APP_FILES)
    destination = tmp_path / "cache" / "RandomQuotes.1.2.3.nupkg"

    with pytest.raises(PackageUnavailable, match=r'^feed "Artifactory" has no version 1\.2\.3 of "RandomQuotes"$'):
        await client.download("RandomQuotes", "1.2.3", destination)

    assert leftovers(destination.parent) == []


async def test_a_download_cut_off_midway_leaves_no_half_file(nuget_feed, client, tmp_path):
    served = nuget_feed.add_package("RandomQuotes", "1.0.1", {"payload.bin": os.urandom(256 * 1024)})
    nuget_feed.cut_off_after = len(served) // 2
    destination = tmp_path / "cache" / "RandomQuotes.1.0.1.nupkg"

    with pytest.raises(PackageUnavailable, match=r'^feed "Artifactory" broke off sending RandomQuotes 1\.0\.1 after '):
        await client.download("RandomQuotes", "1.0.1", destination)

    assert leftovers(destination.parent) == []


async def test_a_download_over_the_size_limit_leaves_no_half_file(nuget_feed, client, tmp_path):
    served = nuget_feed.add_package("RandomQuotes", "1.0.1", {"payload.bin": os.urandom(512 * 1024)})
    destination = tmp_path / "cache" / "RandomQuotes.1.0.1.nupkg"

    with pytest.raises(PackageUnavailable, match=r"sent more than the 65536-byte limit for RandomQuotes 1\.0\.1"):
        await client.download("RandomQuotes", "1.0.1", destination, max_bytes=64 * 1024)
    assert leftovers(destination.parent) == []

    downloaded = await client.download("RandomQuotes", "1.0.1", destination, max_bytes=len(served))
    assert downloaded.size == len(served)


async def test_a_body_without_a_declared_length_is_held_to_the_limit_as_it_arrives(nuget_feed, client, tmp_path):
    served = nuget_feed.add_package("RandomQuotes", "1.0.1", {"payload.bin": os.urandom(512 * 1024)})
    nuget_feed.chunked = True
    destination = tmp_path / "cache" / "RandomQuotes.1.0.1.nupkg"

    with pytest.raises(PackageUnavailable, match=r"sent more than the 100000-byte limit for RandomQuotes 1\.0\.1"):
        await client.download("RandomQuotes", "1.0.1", destination, max_bytes=100_000)
    assert leftovers(destination.parent) == []

    downloaded = await client.download("RandomQuotes", "1.0.1", destination)
    assert destination.read_bytes() == served
    assert downloaded.sha256 == hashlib.sha256(served).hexdigest()


async def test_redirects_are_followed_for_the_index_and_the_flat_container(nuget_feed, tmp_path):
    served = nuget_feed.add_package("RandomQuotes", "1.0.1", APP_FILES)
    nuget_feed.write_service_index(redirect_flat_container=True)
    moved = dataclasses.replace(nuget_feed.as_feed(), url=nuget_feed.redirected_url)

    async with NuGetFeed(moved) as feed:
        assert await feed.versions("RandomQuotes") == ["1.0.1"]
        downloaded = await feed.download("RandomQuotes", "1.0.1", tmp_path / "p.nupkg")

    assert downloaded.sha256 == hashlib.sha256(served).hexdigest()
    paths = [r.path for r in nuget_feed.requests]
    assert paths == [
        "/redirect/index.json",
        "/index.json",
        "/redirect/v3-flatcontainer/randomquotes/index.json",
        "/v3-flatcontainer/randomquotes/index.json",
        "/redirect/v3-flatcontainer/randomquotes/1.0.1/randomquotes.1.0.1.nupkg",
        "/v3-flatcontainer/randomquotes/1.0.1/randomquotes.1.0.1.nupkg",
    ]
    assert all(r.authorized for r in nuget_feed.requests)  # same origin: the credentials go along


async def test_a_service_index_without_a_package_base_address(nuget_feed, client):
    (nuget_feed.root / "index.json").write_text(
        json.dumps({"version": "3.0.0", "resources": [{"@id": "http://x/query", "@type": "SearchQueryService"}]})
    )

    with pytest.raises(
        PackageUnavailable, match=r'^feed "Artifactory" sent a service index without a PackageBaseAddress$'
    ):
        await client.check()


async def test_a_service_index_type_may_be_a_list(nuget_feed, client):
    nuget_feed.add_package("RandomQuotes", "1.0.0", APP_FILES)
    base = f"{nuget_feed.base_url}/v3-flatcontainer"
    (nuget_feed.root / "index.json").write_text(
        json.dumps({"resources": [{"@id": base, "@type": ["PackageBaseAddress/3.0.0", "Other"]}]})
    )

    assert await client.versions("RandomQuotes") == ["1.0.0"]


@pytest.mark.parametrize(
    ("index", "problem"),
    [
        (b"<html>Sign in</html>", r"sent a service index that is not JSON \(http://127\.0\.0\.1:\d+/index\.json\)"),
        (b'{"resources": {"@id": "x"}}', r'sent a service index without a "resources" array'),
        (b"[1, 2]", r'sent a service index without a "resources" array'),
    ],
)
async def test_a_malformed_service_index(nuget_feed, client, index, problem):
    (nuget_feed.root / "index.json").write_bytes(index)

    with pytest.raises(PackageUnavailable, match=rf'^feed "Artifactory" {problem}$'):
        await client.check()


async def test_a_malformed_version_list(nuget_feed, client):
    nuget_feed.add_package("RandomQuotes", "1.0.0", APP_FILES)
    (nuget_feed.root / "v3-flatcontainer" / "randomquotes" / "index.json").write_text('{"versions": "1.0.0"}')

    with pytest.raises(PackageUnavailable, match=r'sent a version list for "RandomQuotes" without a "versions" array'):
        await client.versions("RandomQuotes")


async def test_a_failing_feed_is_retryable_and_says_its_status(nuget_feed, client):
    nuget_feed.status = 503

    with pytest.raises(PackageUnavailable) as raised:
        await client.check()

    assert str(raised.value) == f'feed "Artifactory" answered HTTP 503 for {nuget_feed.url}'
    assert raised.value.retryable is True


async def test_check_reads_the_service_index_afresh(nuget_feed, client):
    await client.check()
    await client.check()

    assert [r.path for r in nuget_feed.requests] == ["/index.json", "/index.json"]


async def test_credentials_in_the_feed_url_are_not_shown(nuget_feed):
    nuget_feed.stop()
    with_secret = dataclasses.replace(nuget_feed.as_feed(), url=nuget_feed.url.replace("http://", "http://u:hunter2@"))
    async with NuGetFeed(with_secret) as feed:
        with pytest.raises(PackageUnavailable) as raised:
            await feed.check()

    assert "hunter2" not in str(raised.value)
    assert nuget_feed.url in str(raised.value)
