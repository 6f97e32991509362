"""A task's log buffer: bounded, asks to be flushed when it fills, and loses or reorders nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of, task_of

from seaway.domain.masking import Masker
from seaway.domain.states import TaskState
from seaway.engine.task_log import TaskLog
from seaway.store.tasks import LogLine


class RecordingTasks:
    """Stands in for the task repository: records each batch the log appends."""

    def __init__(self) -> None:
        self.batches: list[list[LogLine]] = []

    async def append_log(self, task_id: int, lines: list[LogLine]) -> None:
        self.batches.append(list(lines))
        await asyncio.sleep(0)  # a real insert yields to the event loop; writers run meanwhile


class RecordingUnitOfWork:
    def __init__(self) -> None:
        self.tasks = RecordingTasks()


def small_log(**limits: int) -> TaskLog:
    return TaskLog(1, Masker(["hunter2"]), lambda: datetime.now(UTC), **limits)


async def test_flush_is_wanted_once_the_buffer_holds_enough_lines_or_characters():
    by_lines = small_log(flush_at_lines=3, max_lines=10)
    by_chars = small_log(flush_at_chars=10, max_chars=100)
    uow: Any = RecordingUnitOfWork()

    by_lines.add("one")
    by_lines.add("two")
    wanted_after_two = by_lines.flush_wanted.is_set()
    by_lines.add("three")
    wanted_after_three = by_lines.flush_wanted.is_set()
    by_chars.add("x" * 10)
    await by_lines.flush(uow)

    assert (wanted_after_two, wanted_after_three) == (False, True)
    assert by_chars.flush_wanted.is_set()
    assert not by_lines.flush_wanted.is_set() and not by_lines.has_pending  # flushing answers the wish
    assert [line.message for line in uow.tasks.batches[0]] == ["one", "two", "three"]


async def test_a_writer_waits_while_the_buffer_is_full_and_goes_on_after_a_flush():
    log = small_log(flush_at_lines=2, max_lines=4)
    writer = log.for_step(0)
    uow: Any = RecordingUnitOfWork()
    for n in range(4):
        await writer.write(f"line {n}")

    blocked = asyncio.create_task(writer.write("line 4"))
    await asyncio.sleep(0)
    waited = not blocked.done()
    log.add("the engine's own line never waits")
    await log.flush(uow)
    await asyncio.wait_for(blocked, timeout=5)

    assert waited
    assert [line.message for line in uow.tasks.batches[0]] == [
        *(f"line {n}" for n in range(4)),
        "the engine's own line never waits",
    ]
    assert [line.message for line in log._pending] == ["line 4"]


async def test_a_fast_writer_and_a_flusher_that_waits_for_the_wish_store_everything_in_order():
    """The protocol an orchestrator follows: flush about once a second, and at once when the log asks."""
    log = small_log(flush_at_lines=50, max_lines=200)
    writer = log.for_step(0)
    uow: Any = RecordingUnitOfWork()
    done = asyncio.Event()
    most_pending = 0

    async def write_all() -> None:
        nonlocal most_pending
        for n in range(20_000):
            await writer.write(f"line {n}", "error" if n % 7 == 0 else "info")
            most_pending = max(most_pending, log.pending_lines)
        done.set()

    async def flush_when_wanted() -> None:
        while not done.is_set():
            wanted = asyncio.ensure_future(log.flush_wanted.wait())
            finished = asyncio.ensure_future(done.wait())
            await asyncio.wait({wanted, finished}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
            wanted.cancel()
            finished.cancel()
            await log.flush(uow)
        await log.flush(uow)

    await asyncio.wait_for(asyncio.gather(write_all(), flush_when_wanted()), timeout=60)

    stored = [line for batch in uow.tasks.batches for line in batch]
    assert [line.message for line in stored] == [f"line {n}" for n in range(20_000)]
    assert [line.level for line in stored[:8]] == ["error", *["info"] * 6, "error"]
    assert {line.step_index for line in stored} == {0}
    assert most_pending <= 200
    assert max(len(batch) for batch in uow.tasks.batches) <= 200
    assert len(uow.tasks.batches) >= 20_000 // 200


async def test_lines_are_masked_before_they_are_buffered():
    log = small_log()
    uow: Any = RecordingUnitOfWork()

    await log.for_step(0).write("the password is hunter2")
    await log.flush(uow)

    assert uow.tasks.batches[0][0].message == "the password is ********"


def test_a_log_that_would_be_full_before_it_asks_to_be_flushed_is_refused():
    with pytest.raises(ValueError, match="worth flushing"):
        small_log(flush_at_lines=10, max_lines=5)


async def test_a_step_printing_many_lines_fast_has_all_of_them_stored_in_order(services):
    lines = 50_000  # ten times the batch that makes the log ask to be flushed, at the full speed of bash
    steps = (
        "      - name: Chatty\n"
        "        type: script\n"
        f"        script: 'for ((i = 1; i <= {lines}; i++)); do echo \"line $i\"; done; echo done >&2'\n"
    )
    await apply_yaml(services, project_yaml("Chatty", steps))
    deployment = await deploy(services, await release_of(services, "Chatty"), "Test")

    await asyncio.wait_for(services.worker.run_until_idle(), timeout=300)

    task, _ = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS
    assert deployment.task_id is not None
    stored: list[LogLine] = []
    async with services.store.reading() as uow:
        while page := await uow.tasks.log(deployment.task_id, after_id=stored[-1].id if stored else 0):
            stored.extend(page)
    of_step = [line for line in stored if line.step_index == 0 and line.message.startswith(("line ", "done"))]
    assert [line.message for line in of_step] == [*(f"line {i}" for i in range(1, lines + 1)), "done"]
    assert of_step[-1].level == "error"
    ids = [line.id or 0 for line in stored]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
