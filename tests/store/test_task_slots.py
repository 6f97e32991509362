"""The deployment slot on both databases: one slot per project and environment, freed only by the task that
holds it, and who goes next when it is freed — a waiting task whose decisions are all made before the oldest
queued one, never a task waiting on a decision, held back by a pending change request or held by a freeze
or a change window, nor the task excluded."""

from __future__ import annotations

from dataclasses import replace

from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of
from tests.fixtures.factories import an_interruption

from seaway.domain.change_requests import ChangeRequest
from seaway.domain.policies import MergedPolicy
from seaway.domain.states import TaskState
from seaway.store.freezes import StartHold

Slot = tuple[int, int]  # (project id, environment id)


async def tasks_in(services, environment: str, count: int) -> tuple[Slot, list[int]]:
    """The slot and the tasks, oldest first, of `count` queued deployments of Quotes to `environment`."""
    await apply_yaml(services, project_yaml("Quotes", "      - {name: Gate, type: noop}\n"))  # a second apply: no-op
    release = await release_of(services, "Quotes")
    deployments = [await deploy(services, release, environment) for _ in range(count)]
    async with services.store.transaction() as uow:
        target = await uow.environments.get_by_name(environment)
    assert target.id is not None and all(d.task_id for d in deployments)
    return (deployments[0].project_id, target.id), [d.task_id or 0 for d in deployments]


async def wait(services, task_id: int) -> None:
    async with services.store.transaction() as uow:
        await uow.tasks.save(replace(await uow.tasks.get(task_id), state=TaskState.WAITING))


async def test_a_slot_per_project_and_environment_is_freed_only_by_its_holder(services):
    test, (holder, other) = await tasks_in(services, "Test", 2)
    dev, (dev_holder,) = await tasks_in(services, "Dev", 1)
    async with services.store.transaction() as uow:
        assert await uow.tasks.take_slot(holder, *test)
        assert await uow.tasks.take_slot(dev_holder, *dev)  # another environment: its own slot
        await uow.tasks.release_slot(other)  # holds nothing: frees nothing
        assert not await uow.tasks.take_slot(other, *test)
        await uow.tasks.release_slot(holder)
        assert await uow.tasks.take_slot(other, *test)
        assert not await uow.tasks.take_slot(holder, *dev)


async def test_a_waiting_task_whose_decisions_are_made_goes_before_the_oldest_queued(services):
    slot, (queued, deciding, resumable, holder) = await tasks_in(services, "Test", 4)
    for task_id in (deciding, resumable):
        await wait(services, task_id)
    async with services.store.transaction() as uow:
        release = await uow.releases.list_for_project(slot[0])
        await uow.interruptions.add(an_interruption(services, deciding, release[0].id or 0))
    async with services.store.reading() as uow:
        assert await uow.tasks.next_for_slot(*slot, exclude=holder) == resumable
        assert await uow.tasks.next_for_slot(*slot, exclude=resumable) == queued
        assert await uow.tasks.next_queued_for_slot(*slot) == queued  # a waiting task is not queued


async def test_a_task_held_back_or_held_by_a_freeze_does_not_go_next(services):
    slot, (frozen, unheld, requested, last) = await tasks_in(services, "Test", 4)
    policy = MergedPolicy(("Prod sign-off",), (), ("alice",), 1, False, ())
    async with services.store.transaction() as uow:
        await uow.freezes.save_hold(StartHold(frozen, "frozen until Monday"))
        await uow.freezes.save_hold(StartHold(unheld))  # an empty message: nothing holds it now
        deployment = (await uow.tasks.get(requested)).deployment_id
        await uow.change_requests.add(
            ChangeRequest(deployment, requested, "Quotes", "Test", "0.0.1", policy, services.clock.now())
        )
    async with services.store.reading() as uow:
        assert await uow.tasks.next_queued_for_slot(*slot) == unheld
        assert await uow.tasks.next_for_slot(*slot, exclude=unheld) == last
        assert await uow.tasks.next_for_slot(*slot, exclude=last) == unheld
    async with services.store.transaction() as uow:
        await uow.tasks.save(replace(await uow.tasks.get(unheld), state=TaskState.CANCELED))
        await uow.tasks.save(replace(await uow.tasks.get(last), state=TaskState.SUCCESS))
    async with services.store.reading() as uow:
        assert await uow.tasks.next_queued_for_slot(*slot) is None
        assert await uow.tasks.next_for_slot(*slot, exclude=0) is None
