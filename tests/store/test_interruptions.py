"""The interruptions repository on both databases: one per step, atomic decisions, only pending ones change."""

from __future__ import annotations

import asyncio

import pytest
from tests.fixtures.approvals import user_named
from tests.fixtures.engine import release_of
from tests.fixtures.factories import a_task, add_interruption, an_interruption

from seaway.domain.interruptions import Interruption, InterruptionState, Result
from seaway.errors import NotFound


async def test_adding_an_interruption_twice_for_one_step_returns_the_first(services):
    task_id, release_id = await a_task(services)
    async with services.store.transaction() as uow:
        first = await uow.interruptions.add(an_interruption(services, task_id, release_id))
        again = await uow.interruptions.add(an_interruption(services, task_id, release_id, instructions="other"))
        other_step = await uow.interruptions.add(an_interruption(services, task_id, release_id, step_index=1))

    assert first.id == again.id and again.instructions == "Check it"
    assert other_step.id != first.id
    assert first.responsible_teams == ("Project Stakeholders",) and first.state is InterruptionState.PENDING


async def test_a_decision_is_one_conditional_update_so_only_the_first_wins(services):
    interruption = await add_interruption(services)
    alice, bob = await user_named(services, "alice"), await user_named(services, "bob")
    assert interruption.id is not None and alice.id is not None and bob.id is not None
    now = services.clock.now()

    async def decide(user_id: int, result: Result) -> Interruption | None:
        async with services.store.transaction() as uow:
            return await uow.interruptions.decide(
                interruption.id or 0, user_id=user_id, result=result, notes="n", channel="api", now=now
            )

    outcomes = await asyncio.gather(decide(alice.id, Result.PROCEED), decide(bob.id, Result.ABORT))

    winners = [o for o in outcomes if o is not None]
    assert len(winners) == 1
    async with services.store.transaction() as uow:
        stored = await uow.interruptions.get(interruption.id)
    assert stored.state is InterruptionState.RESOLVED
    assert (stored.decided_by, stored.result) == (winners[0].decided_by, winners[0].result)
    assert stored.taken_by == stored.decided_by and stored.decided_at == now


async def test_taking_and_canceling_touch_only_pending_interruptions(services):
    interruption = await add_interruption(services)
    alice = await user_named(services, "alice")
    assert interruption.id is not None and alice.id is not None
    now = services.clock.now()
    async with services.store.transaction() as uow:
        taken = await uow.interruptions.take(interruption.id, alice.id, now)
        assert await uow.interruptions.pending_ids(interruption.task_id) == [interruption.id]
        [canceled] = await uow.interruptions.cancel_pending(interruption.task_id, now, "the deployment was canceled")
        assert await uow.interruptions.cancel_pending(interruption.task_id, now, "again") == []
        assert await uow.interruptions.take(interruption.id, alice.id, now) is None
        assert (
            await uow.interruptions.decide(
                interruption.id, user_id=alice.id, result=Result.PROCEED, notes="", channel="api", now=now
            )
            is None
        )
        listed = {state: await uow.interruptions.list(state=state) for state in ("pending", "completed", "all")}
    assert taken is not None and taken.taken_by == alice.id
    assert canceled.state is InterruptionState.CANCELED and canceled.notes == "the deployment was canceled"
    assert [len(listed[s]) for s in ("pending", "completed", "all")] == [0, 1, 1]


async def test_the_release_content_hash_is_stable_and_differs_between_releases(services):
    _, release_id = await a_task(services)
    other = await release_of(services, "Quotes")
    async with services.store.transaction() as uow:
        first = await uow.interruptions.release_content_hash(release_id)
        again = await uow.interruptions.release_content_hash(release_id)
        second = await uow.interruptions.release_content_hash(other.id or 0)
    assert first == again and first != second and len(first) == 64


async def test_an_unknown_interruption_is_not_found_and_a_known_one_is_found_by_id_and_step(services):
    interruption = await add_interruption(services)
    assert interruption.id is not None
    async with services.store.reading() as uow:
        with pytest.raises(NotFound) as raised:
            await uow.interruptions.get(999)
        assert await uow.interruptions.find(999) is None
        assert await uow.interruptions.find(interruption.id) == interruption
        assert await uow.interruptions.find_for_step(interruption.task_id, 0) == interruption
        assert await uow.interruptions.find_for_step(interruption.task_id, 1) is None
        with pytest.raises(NotFound):
            await uow.interruptions.release_content_hash(999)
    assert (raised.value.entity, raised.value.id) == ("interruption", "999")


async def test_only_a_pending_interruption_can_be_locked(services):
    interruption = await add_interruption(services)
    assert interruption.id is not None
    async with services.store.transaction() as uow:
        locked = await uow.interruptions.lock_pending(interruption.id)
        await uow.interruptions.cancel_pending(interruption.task_id, services.clock.now(), "canceled")
        assert await uow.interruptions.lock_pending(interruption.id) is None
    assert locked is not None and locked.state is InterruptionState.PENDING


async def test_listing_keeps_to_the_task_asked_for_newest_first(services):
    task_id, release_id = await a_task(services)
    async with services.store.transaction() as uow:
        first = await uow.interruptions.add(an_interruption(services, task_id, release_id))
        second = await uow.interruptions.add(an_interruption(services, task_id, release_id, step_index=1))
        assert [i.id for i in await uow.interruptions.list(task_id=task_id)] == [second.id, first.id]
        assert await uow.interruptions.list(task_id=task_id + 1) == []
