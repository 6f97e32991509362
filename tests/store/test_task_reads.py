"""A task read with its step runs in one statement gives what the task and its step runs read apart give."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of

from seaway.errors import NotFound

STEPS = "      - {name: One, type: noop}\n      - {name: Two, type: noop}\n      - {name: Three, type: noop}\n"


async def a_task(services) -> int:
    await apply_yaml(services, project_yaml("Steps", STEPS))
    deployment = await deploy(services, await release_of(services, "Steps"), "Dev")
    assert deployment.task_id is not None
    return deployment.task_id


async def test_a_queued_task_has_no_step_runs_yet(services):
    task_id = await a_task(services)
    async with services.store.reading() as uow:
        task, runs = await uow.tasks.get_with_step_runs(task_id)
        assert task == await uow.tasks.get(task_id)
    assert str(task.state) == "queued" and runs == []


async def test_a_finished_task_comes_with_its_step_runs_in_order(services):
    task_id = await a_task(services)
    await services.worker.run_until_idle()
    async with services.store.reading() as uow:
        task, runs = await uow.tasks.get_with_step_runs(task_id)
        assert task == await uow.tasks.get(task_id)
        assert runs == await uow.tasks.step_runs(task_id)
    assert str(task.state) == "success"
    assert [(run.index, run.name, str(run.state)) for run in runs] == [
        (0, "One", "succeeded"),
        (1, "Two", "succeeded"),
        (2, "Three", "succeeded"),
    ]


async def test_an_unknown_task_is_not_found(services):
    async with services.store.reading() as uow:
        with pytest.raises(NotFound) as by_steps:
            await uow.tasks.get_with_step_runs(999)
        with pytest.raises(NotFound) as alone:
            await uow.tasks.get(999)
    assert (by_steps.value.entity, by_steps.value.id) == (alone.value.entity, alone.value.id) == ("task", "999")
