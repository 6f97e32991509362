"""The server's periodic anchoring, on the controllable clock: a checkpoint when one is due, none otherwise."""

from __future__ import annotations

import asyncio

from tests.fixtures.clock import FakeClock

from seaway.engine.audit_checkpoints import CheckpointSchedule
from seaway.security.signing import SigningKey
from seaway.store.audit import AuditEvent

KEY = SigningKey(bytes(range(32)))


async def record(services, clock: FakeClock) -> None:
    async with services.store.transaction() as uow:
        await uow.audit.record(AuditEvent(at=clock.now(), action="task.canceled", entity="task", entity_id="t"))


async def checkpoints(services) -> list[int]:
    async with services.store.reading() as uow:
        return [c.last_event_id for c in await uow.audit.checkpoints()]


async def test_a_checkpoint_is_signed_at_once_then_at_most_hourly_and_only_over_new_events(services):
    clock = FakeClock()
    schedule = CheckpointSchedule(services.store, clock, KEY)
    assert await schedule.tick() is None  # no events yet
    await record(services, clock)
    first = await schedule.tick()
    assert first is not None and first.created and first.checkpoint is not None
    assert first.checkpoint.at == clock.now() and first.checkpoint.key_id == KEY.key_id
    await record(services, clock)
    clock.advance(minutes=59)
    assert await schedule.tick() is None  # the last one is not an hour old
    clock.advance(minutes=1)
    assert (await schedule.tick()).created
    clock.advance(hours=5)
    assert await schedule.tick() is None  # nothing new to sign
    assert await checkpoints(services) == [1, 2]


async def test_a_refused_checkpoint_is_logged_and_not_stored(services, caplog):
    clock = FakeClock()
    schedule = CheckpointSchedule(services.store, clock, KEY)
    await record(services, clock)
    await schedule.tick()
    await record(services, clock)
    async with services.database.connect() as conn:
        import sqlalchemy as sa

        await conn.execute(sa.text("UPDATE audit_events SET actor = 'mallory' WHERE id = 1"))
    clock.advance(hours=1)
    outcome = await schedule.tick()
    assert outcome is not None and outcome.refused is not None and outcome.refused.bad_event_id == 1
    assert "audit checkpoint refused: NOT intact: AuditEvents-1" in caplog.text
    assert await checkpoints(services) == [1]


async def test_run_signs_when_due_and_ends_when_stopped(services):
    clock = FakeClock()
    await record(services, clock)
    stop = asyncio.Event()
    schedule = CheckpointSchedule(services.store, clock, KEY, poll_seconds=3600)
    running = asyncio.create_task(schedule.run(stop))
    while not await checkpoints(services):  # the first look comes at once; wait for its commit, not a time
        await asyncio.sleep(0)
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert await checkpoints(services) == [1]
