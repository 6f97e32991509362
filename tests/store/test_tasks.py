"""The tasks repository on both databases: tasks and their cancel flag, deployment slots, and the task log
(appended in batches of multi-row INSERTs, read back in order, values intact)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of

from seaway.domain.states import TaskState
from seaway.errors import NotFound
from seaway.store import tasks as task_store
from seaway.store.tables import task_logs
from seaway.store.tasks import LogLine

STEPS = '      - {name: Say, type: script, script: "echo hi"}\n'


async def a_task(services) -> int:
    await apply_yaml(services, project_yaml("Quiet", STEPS))
    deployment = await deploy(services, await release_of(services, "Quiet"), "Test")
    assert deployment.task_id is not None
    return deployment.task_id


async def test_appended_lines_come_back_in_order_with_their_values_across_batches(services, monkeypatch):
    monkeypatch.setattr(task_store, "LOG_INSERT_BATCH", 1_000)  # several executemany calls, each with a remainder
    task_id = await a_task(services)
    start = datetime(2026, 11, 22, 10, 15, 2, tzinfo=UTC)
    lines = [
        LogLine(start + timedelta(microseconds=7 * n), ("info", "warning", "error")[n % 3], f"line {n}", n % 4 or None)
        for n in range(2_345)
    ]

    async with services.store.transaction() as uow:
        await uow.tasks.append_log(task_id, lines[:1_234])
        await uow.tasks.append_log(task_id, lines[1_234:])
    read: list[LogLine] = []
    async with services.store.reading() as uow:
        while page := await uow.tasks.log(task_id, after_id=read[-1].id if read else 0, limit=500):
            read.extend(page)
        tail, total = await uow.tasks.log_tail(task_id, 3)
        earlier, before_count = await uow.tasks.log_tail(task_id, 2, before_id=tail[0].id)

    assert [(ln.at, ln.level, ln.message, ln.step_index) for ln in read] == [
        (ln.at, ln.level, ln.message, ln.step_index) for ln in lines
    ]
    ids = [ln.id or 0 for ln in read]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert total == 2_345 and [ln.message for ln in tail] == ["line 2342", "line 2343", "line 2344"]
    assert before_count == 2_342 and [ln.message for ln in earlier] == ["line 2340", "line 2341"]


async def test_lines_are_stored_exactly_as_a_plain_insert_stores_them(services):
    task_id = await a_task(services)
    second = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    # Times of one second and the next, without microseconds, and not in UTC: where a conversion made
    # once per second, or by hand, would differ.
    times = [
        second,
        second + timedelta(microseconds=1),
        second + timedelta(microseconds=999_999),
        second + timedelta(seconds=1),
        datetime(2026, 11, 22, 14, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ]

    async with services.store.transaction() as uow:
        for at in times:
            await uow.conn.execute(
                task_logs.insert(), {"task_id": task_id, "step_index": 0, "at": at, "level": "info", "message": "plain"}
            )
        await uow.tasks.append_log(task_id, [LogLine(at, "info", "batched", 0) for at in times])
        stored = (await uow.conn.execute(sa.text("SELECT at FROM task_logs ORDER BY id"))).scalars().all()
        lines = await uow.tasks.log(task_id)

    assert stored[len(times) :] == stored[: len(times)]
    assert [ln.at for ln in lines] == times * 2 and all(ln.at.tzinfo == UTC for ln in lines)


async def test_appending_nothing_writes_nothing(services):
    task_id = await a_task(services)

    async with services.store.transaction() as uow:
        await uow.tasks.append_log(task_id, [])
        await uow.tasks.append_log(task_id, iter(()))
    async with services.store.reading() as uow:
        assert await uow.tasks.log(task_id) == []


async def test_an_unknown_task_is_not_found(services):
    async with services.store.reading() as uow:
        with pytest.raises(NotFound) as raised:
            await uow.tasks.get(999)
    assert (raised.value.entity, raised.value.id) == ("task", "999")


async def test_a_saved_task_reads_back_and_lists_under_its_state(services):
    task_id = await a_task(services)
    async with services.store.transaction() as uow:
        task = await uow.tasks.get(task_id)
        started = replace(task, state=TaskState.EXECUTING, started_at=services.clock.now())
        assert await uow.tasks.save(started) is True
        assert await uow.tasks.get(task_id) == started
        assert [t.id for t in await uow.tasks.list(state=TaskState.EXECUTING)] == [task_id]
        assert await uow.tasks.list(state=TaskState.QUEUED) == []


async def test_many_tasks_read_at_once_by_id_leave_out_unknown_ids(services):
    task_id = await a_task(services)
    async with services.store.reading() as uow:
        one = await uow.tasks.get(task_id)
        assert await uow.tasks.get_many([task_id, task_id, 999]) == {task_id: one}
        assert await uow.tasks.get_many([]) == {}


async def test_a_save_unless_cancel_requested_writes_nothing_once_cancel_was_asked_for(services):
    task_id = await a_task(services)
    async with services.store.transaction() as uow:
        task = await uow.tasks.get(task_id)
        assert await uow.tasks.cancel_requested([task_id]) == set()
        await uow.tasks.request_cancel(task_id)
        refused = await uow.tasks.save(replace(task, state=TaskState.SUCCESS), unless_cancel_requested=True)
        stored = await uow.tasks.get(task_id)
        assert await uow.tasks.cancel_requested([task_id, task_id + 1]) == {task_id}
        assert await uow.tasks.cancel_requested([]) == set()
    assert refused is False
    assert stored.state is TaskState.QUEUED and stored.cancel_requested is True


async def test_a_slot_is_held_by_one_task_until_released_and_the_oldest_queued_goes_next(services):
    first_id = await a_task(services)
    second = await deploy(services, await release_of(services, "Quiet"), "Test")
    assert second.task_id is not None
    async with services.store.transaction() as uow:
        deployment = await uow.deployments.get(second.id or 0)
        environment = await uow.environments.get_by_name("Test")
        assert environment.id is not None
        slot = (deployment.project_id, environment.id)
        assert await uow.tasks.take_slot(first_id, *slot) is True
        assert await uow.tasks.take_slot(first_id, *slot) is True  # already held
        assert await uow.tasks.take_slot(second.task_id, *slot) is False
        assert await uow.tasks.next_queued_for_slot(*slot) == first_id
        assert await uow.tasks.next_for_slot(*slot, exclude=first_id) == second.task_id
        await uow.tasks.release_slot(first_id)
        assert await uow.tasks.take_slot(second.task_id, *slot) is True
