"""The freezes repository on both databases: every field of a freeze round trips and names are unique
case-insensitively (what every named resource shares is pinned down in test_named_repository.py); a
deployment has at most one override, the latest written; a task's start hold is replaced on save and holds
nothing once the task is no longer queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fixtures.approvals import user_named
from tests.fixtures.change_request_records import queued_deployments
from tests.fixtures.named_records import assert_names_unique_in_any_case

from seaway.domain.freezes import Freeze
from seaway.store.freezes import FreezeOverride, StartHold
from seaway.store.tables import tasks

CHRISTMAS = Freeze(
    "Christmas",
    start=datetime(2026, 12, 20, tzinfo=UTC),
    end=datetime(2027, 1, 3, tzinfo=UTC),
    description="no changes over the holidays",
    projects=("Quotes",),
    environments=("Prod", "Test"),
    tags=("customer-facing",),
)


async def test_freezes_round_trip_are_saved_listed_and_deleted(services):
    async with services.store.transaction() as uow:
        christmas = await uow.freezes.add(CHRISTMAS)
        audit = await uow.freezes.add(Freeze("audit week", CHRISTMAS.start, CHRISTMAS.start + timedelta(days=7)))
        assert christmas.id is not None and audit.id is not None
        assert await uow.freezes.get(christmas.id) == christmas
        assert await uow.freezes.find_by_name("CHRISTMAS") == christmas
        assert await uow.freezes.get_by_name("Audit Week") == audit
        assert [f.name for f in await uow.freezes.list()] == ["audit week", "Christmas"]
        moved = Freeze("Christmas", CHRISTMAS.start - timedelta(days=1), CHRISTMAS.end, id=christmas.id)
        await uow.freezes.save(moved)
        assert await uow.freezes.get(christmas.id) == moved
        await uow.freezes.delete(audit.id)
        assert await uow.freezes.list() == [moved]


async def test_a_name_differing_only_in_case_is_a_conflict(services):
    await assert_names_unique_in_any_case(services, "freezes", CHRISTMAS)


async def test_a_deployment_has_one_override_the_latest_written(services):
    (deployment,) = await queued_deployments(services, 1)
    alice = await user_named(services, "alice")
    assert deployment.id is not None
    now = services.clock.now()
    first = FreezeOverride(deployment.id, alice.id, "hotfix", ("Christmas",), now)
    second = FreezeOverride(deployment.id, None, "still a hotfix", ("Christmas", "audit week"), now + timedelta(1))
    async with services.store.transaction() as uow:
        assert await uow.freezes.override_of(deployment.id) is None
        await uow.freezes.add_override(first)
        assert await uow.freezes.override_of(deployment.id) == first
        await uow.freezes.add_override(second)
        assert await uow.freezes.override_of(deployment.id) == second
        assert await uow.freezes.override_of(deployment.id + 1) is None


async def test_a_hold_is_replaced_on_save_and_holds_nothing_once_the_task_left_the_queue(services):
    (deployment,) = await queued_deployments(services, 1)
    assert deployment.task_id is not None
    task_id = deployment.task_id
    now = services.clock.now()
    async with services.store.transaction() as uow:
        assert await uow.freezes.hold_of(task_id) == StartHold(task_id)  # never held
        await uow.freezes.save_hold(StartHold(task_id, "frozen by Christmas", now + timedelta(days=2)))
        await uow.freezes.save_hold(StartHold(task_id, "outside the change window", None, now + timedelta(hours=1)))
        assert await uow.freezes.hold_of(task_id) == StartHold(
            task_id, "outside the change window", None, now + timedelta(hours=1)
        )
        await uow.conn.execute(tasks.update().where(tasks.c.id == task_id).values(state="canceled"))
        assert await uow.freezes.hold_of(task_id) == StartHold(task_id, "", None, now + timedelta(hours=1))
