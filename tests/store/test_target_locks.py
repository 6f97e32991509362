"""The per-target lock repository on both databases: one task holds a target until it releases it, asking
again is harmless, others are told who holds it and since when, and a holder whose `run-task` work item is
gone, not leased or past its lease no longer holds it: the next task to ask takes it over."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of

from seaway.domain.targets import AgentEndpoint, DeploymentTarget
from seaway.store.queue import WorkItem
from seaway.store.target_locks import Holder

LEASE = timedelta(seconds=30)
NODE = "node-a"


class Running(NamedTuple):
    """Two tasks whose `run-task` items NODE leased at `claimed_at`, and two targets they may lock."""

    first: int
    second: int
    web: int
    db: int
    items: dict[int, WorkItem]  # by task id
    claimed_at: datetime


async def two_running_tasks_and_targets(services) -> Running:
    await apply_yaml(services, project_yaml("Quotes", "      - {name: Gate, type: noop}\n"))
    release = await release_of(services, "Quotes")
    first, second = [await deploy(services, release, "Test") for _ in range(2)]
    async with services.store.transaction() as uow:
        web = await uow.targets.add(DeploymentTarget("web-01", ("Test",), ("web",), AgentEndpoint()))
        db = await uow.targets.add(DeploymentTarget("db-01", ("Test",), ("db",), AgentEndpoint()))
        claimed_at = services.clock.now()
        items = {item.payload["task_id"]: item for item in await uow.queue.claim(NODE, claimed_at, LEASE, 10)}
    assert first.task_id and second.task_id and web.id and db.id
    return Running(first.task_id, second.task_id, web.id, db.id, items, claimed_at)


async def test_a_target_is_held_by_one_task_until_that_task_releases_it(services):
    first, second, web, db, _, now = await two_running_tasks_and_targets(services)
    async with services.store.transaction() as uow:
        assert await uow.target_locks.holder(web) is None
        assert await uow.target_locks.take(web, first, now) is None
        assert await uow.target_locks.take(web, first, now + timedelta(seconds=1)) is None  # already held
        assert await uow.target_locks.take(web, second, now + timedelta(seconds=5)) == Holder(first, now)
        assert await uow.target_locks.take(db, second, now) is None  # another target: its own lock
        await uow.target_locks.release(web, second)  # not the holder: nothing changes
        assert await uow.target_locks.holder(web) == first
    async with services.store.transaction() as uow:
        await uow.target_locks.release(web, first)
        assert await uow.target_locks.holder(web) is None
        assert await uow.target_locks.take(web, second, now) is None
    async with services.store.reading() as uow:
        assert (await uow.target_locks.holder(web), await uow.target_locks.holder(db)) == (second, second)


async def test_a_holder_past_its_lease_or_without_its_work_item_is_taken_over(services):
    first, second, web, db, items, now = await two_running_tasks_and_targets(services)
    expired = now + LEASE + timedelta(seconds=1)
    async with services.store.transaction() as uow:
        assert await uow.target_locks.take(web, first, now) is None
        assert await uow.target_locks.take(web, second, now + LEASE) == Holder(first, now)  # the lease's last moment
        assert await uow.target_locks.take(web, second, expired) is None
        assert await uow.target_locks.take(web, first, now) == Holder(second, expired)  # taken over at `expired`
    async with services.store.transaction() as uow:
        assert await uow.target_locks.take(db, second, now) is None
        await uow.queue.complete(items[second], NODE)  # its work item is gone: it no longer runs anywhere
        assert await uow.target_locks.take(db, first, now) is None
        assert await uow.target_locks.holder(db) == first


async def test_a_holder_whose_work_item_is_not_leased_is_taken_over(services):
    first, second, web, _, _, now = await two_running_tasks_and_targets(services)
    async with services.store.transaction() as uow:
        assert await uow.target_locks.take(web, first, now) is None
        await uow.queue.release_owned(NODE)  # a clean shutdown gave its items back: queued, run by no one
        assert await uow.target_locks.take(web, second, now) is None
        assert await uow.target_locks.holder(web) == second
