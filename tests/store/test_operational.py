"""The operator's figures on both databases: counts read in one aggregate query each, and the schema state."""

from __future__ import annotations

from datetime import timedelta

from tests.fixtures.approvals import user_named
from tests.fixtures.factories import a_task, add_interruption

from seaway.domain.interruptions import Result
from seaway.store.database import Database
from seaway.store.operational import OperationalFigures, QueueFigures, migration_heads, schema_state

LEASE = timedelta(seconds=30)


async def test_tasks_are_counted_by_state(services):
    await a_task(services)
    async with services.store.reading() as uow:
        assert await OperationalFigures(uow.conn, uow.cipher).tasks_by_state() == {"queued": 1}


async def test_the_queue_counts_due_items_the_oldest_and_expired_leases(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.queue.enqueue("run-task", "a", {}, now - timedelta(minutes=2))
        await uow.queue.enqueue("run-task", "b", {}, now - timedelta(minutes=1))
        await uow.queue.enqueue("run-task", "later", {}, now + timedelta(minutes=1))
        await uow.queue.claim("node-a", now - timedelta(minutes=2), LEASE, 1)
    async with services.store.reading() as uow:
        figures = await OperationalFigures(uow.conn, uow.cipher).work_queue(now)
    assert figures == QueueFigures(due=2, oldest_due_at=now - timedelta(minutes=2), expired_leases=1)


async def test_emails_are_counted_by_state_with_the_queued_ones_that_failed_an_attempt(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        ids = [
            await uow.emails.add(key=key, to=["x@example.org"], subject=key, text="t", html=None, now=now)
            for key in "abc"
        ]
        await uow.emails.record_attempt(ids[0] or 0, "refused")
        await uow.emails.mark_sent(ids[2] or 0, now)
    async with services.store.reading() as uow:
        figures = await OperationalFigures(uow.conn, uow.cipher).emails()
    assert (figures.by_state, figures.retrying) == ({"queued": 2, "sent": 1}, 1)


async def test_approval_waits_are_the_seconds_from_request_to_decision(services):
    interruption = await add_interruption(services)
    alice = await user_named(services, "alice")
    assert interruption.id is not None and alice.id is not None
    async with services.store.transaction() as uow:
        figures = OperationalFigures(uow.conn, uow.cipher)
        assert await figures.approval_waits() == []
        await uow.interruptions.decide(
            interruption.id,
            user_id=alice.id,
            result=Result.PROCEED,
            notes="",
            channel="api",
            now=interruption.created_at + timedelta(seconds=90),
        )
        assert await figures.approval_waits() == [90.0]


async def test_a_migrated_database_is_up_to_date_and_one_that_does_not_answer_is_unreachable(db_url):
    migrated = Database(db_url)
    gone = Database("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    try:
        state = await schema_state(migrated)
        unreachable = await schema_state(gone, timeout=5)
    finally:
        await migrated.dispose()
        await gone.dispose()
    assert state.up_to_date and state.current == state.head == migration_heads()
    assert not unreachable.reachable and not unreachable.up_to_date and unreachable.error
