"""Where objects lie, by the names their permissions are checked against: as they are now, on both databases."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.fixtures.engine import apply_yaml, deploy, release_of
from tests.fixtures.factories import NOOP_PROJECT

from seaway.domain.states import TaskState
from seaway.errors import NotFound
from seaway.store.scopes import Scopes, Where


async def test_a_task_deployment_and_release_lie_where_their_project_and_environment_are_named_now(services):
    await apply_yaml(services, NOOP_PROJECT)
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Dev")
    assert deployment.id is not None and deployment.task_id is not None and release.id is not None
    async with services.store.transaction() as uow:
        project = await uow.projects.get_by_name("Quotes")
        await uow.projects.save(replace(project, name="Renamed"))

    async with services.store.reading() as uow:
        scopes = Scopes(uow.conn)
        assert await scopes.of_task(deployment.task_id) == Where("Renamed", "Dev")
        assert await scopes.of_deployment(deployment.id) == Where("Renamed", "Dev")
        assert await scopes.of_deployments([deployment.id, deployment.id]) == {deployment.id: Where("Renamed", "Dev")}
        assert await scopes.of_release(release.id) == Where("Renamed")
        assert await scopes.of_project(release.project_id) == Where("Renamed")
        assert await scopes.project_names() == {release.project_id: "Renamed"}


async def test_an_unknown_object_is_the_not_found_of_its_repository(services):
    async with services.store.reading() as uow:
        with pytest.raises(NotFound) as unknown:
            await Scopes(uow.conn).of_task(41)
        with pytest.raises(NotFound) as from_the_repository:
            await uow.tasks.get(41)
    assert unknown.value.message == from_the_repository.value.message == "task 41 does not exist"


async def test_tasks_page_newest_first_by_state(services):
    await apply_yaml(services, NOOP_PROJECT)
    release = await release_of(services, "Quotes")
    task_ids = [(await deploy(services, release, "Dev")).task_id for _ in range(3)]

    async with services.store.reading() as uow:
        scopes = Scopes(uow.conn)
        first = await scopes.tasks(state=None, before=None, limit=2)
        rest = await scopes.tasks(state=None, before=first[-1][0].id, limit=2)
        done = await scopes.tasks(state=TaskState.SUCCESS, before=None, limit=10)

    assert [(t.id, w) for t, w in first + rest] == [
        (task_ids[2], Where("Quotes", "Dev")),
        (task_ids[1], Where("Quotes", "Dev")),
        (task_ids[0], Where("Quotes", "Dev")),
    ]
    assert done == []
