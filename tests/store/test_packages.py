"""The built-in feed's package versions on both databases: every field round-trips, an id and version are
found in any case and are unique in any case, lists come in their promised order, an overwrite keeps the
row's id, and a version counts as used only by a release that takes it from the built-in feed — which is
also what keeps it from retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from tests.fixtures.engine import add_user, apply_yaml, project_yaml

from seaway.domain.packages import PackageFormat, PackageReference, PackageVersion
from seaway.domain.releases import Release
from seaway.errors import Conflict, NotFound
from seaway.store.packages import ReleaseUse

PUSHED = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)


def version_of(package_id: str, version: str, **fields) -> PackageVersion:
    values = {"format": PackageFormat.ZIP, "sha256": version.ljust(64, "0"), "size": 10, "pushed_at": PUSHED}
    return PackageVersion(package_id, version, **{**values, **fields})


async def add_versions(services, *packages: PackageVersion) -> list[PackageVersion]:
    async with services.store.transaction() as uow:
        return [await uow.packages.add(package) for package in packages]


async def test_a_version_round_trips_every_field_and_is_found_in_any_case(services):
    pusher = await add_user(services, "pusher")
    web = version_of(
        "Web.App", "1.0.0-RC", format=PackageFormat.NUPKG, size=5_000_000_000, pushed_by=pusher.id, title="The site"
    )
    (added,) = await add_versions(services, web)
    async with services.store.reading() as uow:
        assert await uow.packages.find("web.app", "1.0.0-rc") == added
        assert await uow.packages.get("WEB.APP", "1.0.0-RC") == added
        assert await uow.packages.find("Web.App", "1.0.0") is None
        with pytest.raises(NotFound) as unknown:
            await uow.packages.get("Web.App", "9.9")
    assert added == replace(web, id=added.id) and added.id is not None
    assert (unknown.value.entity, unknown.value.id) == ("package", "Web.App 9.9")
    with pytest.raises(Conflict):
        await add_versions(services, version_of("WEB.app", "1.0.0-rc"))


async def test_versions_list_oldest_first_and_the_feed_by_package_then_newest_first(services):
    web1, api1, web2, web3 = await add_versions(
        services, version_of("Web", "1.0"), version_of("api", "1.0"), version_of("Web", "2.0"), version_of("web", "3.0")
    )
    async with services.store.reading() as uow:
        assert await uow.packages.versions_of("WEB") == [web1, web2, web3]
        assert await uow.packages.versions_of("nothing") == []
        assert await uow.packages.list() == [api1, web3, web2, web1]
        assert await uow.packages.list(package_id="wEB", limit=2) == [web3, web2]
        assert await uow.packages.list(limit=1) == [api1]


async def test_an_overwrite_keeps_the_id_and_deleting_leaves_the_other_versions_files(services):
    first, second = await add_versions(services, version_of("Web", "1.0", sha256="a" * 64), version_of("Web", "2.0"))
    newer = version_of("Web", "1.0", format=PackageFormat.TAR_GZ, sha256="b" * 64, size=99, title="rebuilt")
    async with services.store.transaction() as uow:
        overwritten = await uow.packages.replace(first, newer)
        await uow.packages.add(version_of("Other", "1.0", sha256="b" * 64))
        assert await uow.packages.stored_hashes() == {"b" * 64, second.sha256}
        await uow.packages.delete(second)
    async with services.store.reading() as uow:
        assert await uow.packages.get("Web", "1.0") == overwritten == replace(newer, id=first.id)
        assert await uow.packages.find("Web", "2.0") is None
        assert await uow.packages.stored_hashes() == {"b" * 64}


async def test_a_version_is_used_only_by_releases_taking_it_from_the_built_in_feed(services):
    await apply_yaml(services, project_yaml("Quotes", "      - {name: Gate, type: noop}\n"))
    _used, external_only, _too_recent = await add_versions(
        services,
        version_of("Web", "1.0"),
        version_of("Web", "2.0"),
        version_of("Web", "3.0", pushed_at=PUSHED + timedelta(hours=1)),
    )
    async with services.store.transaction() as uow:
        project = await uow.projects.get_by_name("Quotes")
        assert project.id is not None
        takes = (PackageReference("Deploy web", "WEB", "1.0"), PackageReference("Mirror", "Web", "2.0", feed="nuget"))
        release = await uow.releases.add(Release(project.id, "0.1.0", (), (), PUSHED, packages=takes))
        again = await uow.releases.add(
            Release(project.id, "0.2.0", (), (), PUSHED, packages=(PackageReference("Site", "web", "1.0", "BuiltIn"),))
        )
    async with services.store.reading() as uow:
        assert await uow.packages.used_by("web", "1.0") == [
            ReleaseUse(release.id or 0, "0.1.0", "Quotes", "Deploy web"),
            ReleaseUse(again.id or 0, "0.2.0", "Quotes", "Site"),
        ]
        assert await uow.packages.used_by("Web", "2.0") == []
        assert await uow.packages.unreferenced_before(PUSHED + timedelta(hours=1)) == [external_only]
        assert await uow.packages.unreferenced_before(PUSHED) == []
