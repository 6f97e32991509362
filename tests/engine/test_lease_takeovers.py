"""A node that claims a work item whose owner's lease expired counts and logs the takeover; ordinary claims,
retries and handed-back items do not count."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import make_settings

from seaway.bootstrap import build_services
from seaway.engine.metrics import EngineMetrics
from seaway.engine.worker import Worker

LEASE = timedelta(seconds=15)


def takeovers(metrics: EngineMetrics) -> float:
    return sum(s.value for m in metrics.collect() for s in m.samples if s.name == "seaway_lease_takeovers_total")


async def enqueue(services, key: str) -> None:
    async with services.store.transaction() as uow:
        await uow.queue.enqueue("test-item", key, {}, services.clock.now())


async def test_a_claim_after_an_expired_lease_records_the_previous_owner(db_url, tmp_path):
    clock = FakeClock()
    services = build_services(make_settings(db_url, tmp_path / "data"), clock=clock)
    try:
        await enqueue(services, "test-item:1")
        async with services.store.transaction() as uow:
            [first] = await uow.queue.claim("node-a", clock.now(), LEASE, 5)
        clock.advance(seconds=LEASE.total_seconds() + 1)
        async with services.store.transaction() as uow:
            [second] = await uow.queue.claim("node-b", clock.now(), LEASE, 5)
            await uow.queue.release_owned("node-b")  # handed back: the next claim is an ordinary one
        async with services.store.transaction() as uow:
            [third] = await uow.queue.claim("node-c", clock.now(), LEASE, 5)
    finally:
        await services.close()

    assert (first.taken_over_from, second.taken_over_from, third.taken_over_from) == (None, "node-a", None)
    assert first.id == second.id == third.id


async def test_the_worker_that_takes_an_item_over_counts_it_and_says_from_whom(db_url, tmp_path, caplog):
    clock = FakeClock()
    services = build_services(make_settings(db_url, tmp_path / "data"), clock=clock)
    ran: list[str] = []

    async def handler(item, lease, finish) -> bool:
        ran.append(item.key)
        return False  # the worker completes it

    metrics = EngineMetrics()
    worker = Worker(services.store, clock, {"test-item": handler}, node_id="node-b", metrics=metrics)
    try:
        await enqueue(services, "test-item:1")
        await enqueue(services, "test-item:2")
        async with services.store.transaction() as uow:
            await uow.queue.claim("node-a", clock.now(), LEASE, 1)  # node-a takes item 1 and dies
        clock.advance(seconds=LEASE.total_seconds() + 1)
        with caplog.at_level(logging.WARNING, logger="seaway.worker"):
            await worker.run_until_idle()
    finally:
        await services.close()

    assert sorted(ran) == ["test-item:1", "test-item:2"]
    assert takeovers(metrics) == 1
    assert "took test-item:1 over from node-a, whose lease had expired" in caplog.messages
