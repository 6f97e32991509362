"""The work queue on both databases: items deduped by key, claimed under leases, fenced, completed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seaway.errors import LeaseLost

LEASE = timedelta(seconds=30)


async def test_an_item_is_claimed_once_until_its_lease_expires(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.queue.enqueue("run-task", "run-task:1", {"task_id": 1}, now)
        await uow.queue.enqueue("run-task", "run-task:2", {"task_id": 2}, now + timedelta(minutes=1))
        [item] = await uow.queue.claim("node-a", now, LEASE, 10)
        assert await uow.queue.claim("node-b", now, LEASE, 10) == []
        [taken_over] = await uow.queue.claim("node-b", now + LEASE * 2, LEASE, 1, exclude=["run-task:2"])
        assert await uow.queue.next_run_after() == now
    assert (item.kind, item.key, dict(item.payload), item.attempts) == ("run-task", "run-task:1", {"task_id": 1}, 1)
    assert (taken_over.id, taken_over.attempts) == (item.id, 2)


async def test_enqueueing_a_key_again_runs_it_once_more_no_later_than_asked(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.queue.enqueue("mail", "mail:1", {}, now + timedelta(minutes=5))
        await uow.queue.enqueue("mail", "mail:1", {}, now)
        [item] = await uow.queue.claim("node-a", now, LEASE, 10)
        await uow.queue.enqueue("mail", "mail:1", {}, now)
        await uow.queue.complete(item, "node-a")
        [again] = await uow.queue.pending("mail")
        await uow.queue.complete(await _claim_one(uow, now), "node-a")
        assert await uow.queue.pending() == []
    assert again.id == item.id and again.generation == item.generation + 1


async def _claim_one(uow, now):
    [item] = await uow.queue.claim("node-a", now, LEASE, 1)
    return item


async def test_only_the_lease_holder_may_write_renew_or_retry(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.queue.enqueue("run-task", "run-task:1", {}, now)
        item = await _claim_one(uow, now)
        await uow.queue.hold(item, "node-a", now + LEASE)
        with pytest.raises(LeaseLost) as lost:
            await uow.queue.hold(item, "node-b", now + LEASE)
        assert await uow.queue.extend("node-a", [item.id], now + LEASE) == {item.id}
        assert await uow.queue.extend("node-b", [item.id], now + LEASE) == set()
        assert await uow.queue.extend("node-a", [], now + LEASE) == set()
        await uow.queue.retry_later(item, "node-a", now + timedelta(minutes=1), "smtp down")
        assert await uow.queue.claim("node-a", now, LEASE, 1) == []
        assert await uow.queue.next_run_after() == now + timedelta(minutes=1)
    assert lost.value.id == "run-task:1"


async def test_a_clean_shutdown_gives_its_items_back_at_once(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.queue.enqueue("run-task", "run-task:1", {}, now)
        await _claim_one(uow, now)
        await uow.queue.release_owned("node-a")
        [item] = await uow.queue.claim("node-b", now, LEASE, 1)
    assert item.key == "run-task:1"


async def test_an_enqueue_rolled_back_leaves_nothing_and_wakes_nobody(services):
    woken: list[str] = []
    services.store.wakers.append(lambda: woken.append("woken"))
    with pytest.raises(RuntimeError):
        async with services.store.transaction() as uow:
            await uow.queue.enqueue("run-task", "run-task:1", {}, services.clock.now())
            raise RuntimeError("roll back")
    async with services.store.transaction() as uow:
        assert await uow.queue.pending() == []
        await uow.queue.enqueue("run-task", "run-task:1", {}, services.clock.now())
    assert woken == ["woken"]
