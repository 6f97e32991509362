"""The releases repository on both databases: a project's releases by version, newest first, and the one
before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seaway.domain.packages import PackageReference
from seaway.domain.process import Step, StepType
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.variables import Variable
from seaway.errors import NotFound


async def _project(uow) -> int:
    project = await uow.projects.add(Project("Quotes"))
    assert project.id is not None
    return project.id


async def test_releases_are_added_and_found_by_id_and_version(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        project_id = await _project(uow)
        release = await uow.releases.add(
            Release(
                project_id,
                "1.0.0-RC",
                (Step("Say", StepType.SCRIPT, {"script": "echo hi"}),),
                (Variable("Password", "pw", sensitive=True),),
                now,
                notes="first",
                packages=(PackageReference("Say", "Say.Tool", "2.1", sha256="a" * 64),),
            )
        )
        assert release.id is not None
        assert await uow.releases.get(release.id) == release
        assert await uow.releases.find_by_version(project_id, "1.0.0-rc") == release
        assert await uow.releases.find_by_version(project_id, "2.0.0") is None
        assert await uow.releases.find_by_version(project_id + 1, "1.0.0-RC") is None
        with pytest.raises(NotFound) as raised:
            await uow.releases.get(release.id + 1)
    assert raised.value.entity == "release"


async def test_versions_list_and_previous_follow_the_order_of_creation(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        project_id = await _project(uow)
        made = [
            await uow.releases.add(Release(project_id, version, (), (), now + timedelta(seconds=n)))
            for n, version in enumerate(["0.9", "0.10", "0.11"])
        ]
        ids = [r.id or 0 for r in made]
        assert await uow.releases.versions(project_id) == ["0.9", "0.10", "0.11"]
        assert [r.version for r in await uow.releases.list_for_project(project_id)] == ["0.11", "0.10", "0.9"]
        assert [r.version for r in await uow.releases.list_for_project(project_id, limit=1)] == ["0.11"]
        assert await uow.releases.previous(project_id, ids[2]) == made[1]
        assert await uow.releases.previous(project_id, ids[0]) is None
