"""The deployments repository on both databases: a deployment with its environment's name and its task."""

from __future__ import annotations

import dataclasses

import pytest
from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of

from seaway.domain.deployments import Deployment
from seaway.domain.states import TaskState
from seaway.errors import NotFound

PROJECT = project_yaml("Quotes", "      - {name: Wait, type: noop}\n")


async def _succeed(services, task_id: int) -> None:
    async with services.store.transaction() as uow:
        task = await uow.tasks.get(task_id)
        await uow.tasks.save(dataclasses.replace(task, state=TaskState.SUCCESS))


async def test_a_deployment_is_added_and_read_with_its_environment_and_task(services):
    await apply_yaml(services, PROJECT)
    release = await release_of(services, "Quotes")
    assert release.id is not None
    async with services.store.transaction() as uow:
        test = await uow.environments.get_by_name("Test")
        assert test.id is not None
        added = await uow.deployments.add(
            Deployment(release.id, release.project_id, "", services.clock.now(), None, {"Reason": "why"}, "c"), test.id
        )
        assert added.id is not None
        assert (added.environment, added.task_id, added.prompted_variables) == ("Test", None, {"Reason": "why"})
        assert await uow.deployments.get(added.id) == added
        assert await uow.deployments.list_for_release(release.id) == [added]
        with pytest.raises(NotFound) as raised:
            await uow.deployments.get(added.id + 1)
    assert raised.value.entity == "deployment"


async def test_only_successful_deployments_count_as_reached_and_as_previous(services):
    await apply_yaml(services, PROJECT)
    first, second = await release_of(services, "Quotes"), await release_of(services, "Quotes")
    done = await deploy(services, first, "Dev")
    failed = await deploy(services, first, "Test")
    later = await deploy(services, second, "Dev")
    assert done.task_id is not None and first.id is not None and later.id is not None
    await _succeed(services, done.task_id)
    async with services.store.reading() as uow:
        assert await uow.deployments.succeeded_environments(first.id) == ["Dev"]
        assert [d.id for d in await uow.deployments.list_for_release(first.id)] == [done.id, failed.id]
        previous = await uow.deployments.previous_successful(first.project_id, "dev", later.id)
        assert await uow.deployments.previous_successful(first.project_id, "Test", later.id) is None
        assert await uow.deployments.previous_successful(first.project_id, "Dev", done.id or 0) is None
    assert previous is not None and previous.id == done.id
