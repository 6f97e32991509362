"""The per-target lock on both databases: a second deployment waits for the target, saying for whom, until
the first releases it; a holder whose work-item lease has expired (its node died) is taken over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, deploy, release_of
from tests.fixtures.targets import MachineProbe, fingerprint_of, private_key_text, services_reaching, space_yaml

from seaway.bootstrap import Services
from seaway.domain.ids import format_id
from seaway.domain.targets import DeploymentTarget
from seaway.engine.target_locks import TargetLocks
from seaway.errors import DeploymentCanceled

LEASE = timedelta(seconds=30)
TARGET = (
    "  - {name: web-01, environments: [Test], roles: [web], endpoint: {type: ssh, host: 10.0.0.1, "
    f"account: deploy-key, fingerprint: '{fingerprint_of('web-01')}'}}}}\n"
)
PROJECTS = """projects:
  - {name: Alpha, process: [{name: Nothing, type: noop}]}
  - {name: Beta, process: [{name: Nothing, type: noop}]}
"""


class WatchedLog:
    """A step log that says when a line containing `word` is written."""

    def __init__(self, word: str) -> None:
        self.word, self.lines, self.seen = word, list[str](), asyncio.Event()

    async def write(self, message: str, level: str = "info") -> None:
        self.lines.append(message)
        if self.word in message:
            self.seen.set()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def services(db_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    async with services_reaching(db_url, tmp_path / "data", MachineProbe(), clock) as built:
        await apply_yaml(
            built, space_yaml(private_key_text(), TARGET).replace("[Dev, Test, Prod]", "[Test]") + PROJECTS
        )
        yield built


async def running_tasks(services: Services, clock: FakeClock) -> tuple[int, int, DeploymentTarget]:
    """Deployments of Alpha and Beta whose work items a node has claimed, and the target."""
    tasks = []
    for project in ("Alpha", "Beta"):
        deployment = await deploy(services, await release_of(services, project), "Test")
        assert deployment.task_id is not None
        tasks.append(deployment.task_id)
    async with services.store.transaction() as uow:
        assert len(await uow.queue.claim("node-1", clock.now(), LEASE, 10)) == 2
        target = await uow.targets.get_by_name("web-01")
    return tasks[0], tasks[1], target


async def holder_of(services: Services, target: DeploymentTarget) -> int | None:
    assert target.id is not None
    async with services.store.reading() as uow:
        return await uow.target_locks.holder(target.id)


async def test_a_second_deployment_waits_for_the_target_until_the_first_releases_it(services, clock):
    first, second, target = await running_tasks(services, clock)
    locks = TargetLocks(services.store, clock, poll_seconds=3600)  # only the release in this process wakes it
    entered, leave, log = asyncio.Event(), asyncio.Event(), WatchedLog("Waiting")

    async def run_second() -> None:
        async with locks.lock(second, target, log, asyncio.Event()):
            entered.set()
            await leave.wait()

    async with locks.lock(first, target, WatchedLog("-"), asyncio.Event()):
        waiting = asyncio.create_task(run_second())
        await log.seen.wait()
        assert not entered.is_set()
        assert await holder_of(services, target) == first
    await entered.wait()

    holder = f"{format_id('deployment', 1)} of Alpha ({format_id('task', first)})"
    assert log.lines == [f"Waiting for web-01: {holder} is running on it", "web-01 is free now"]
    assert await holder_of(services, target) == second
    leave.set()
    await waiting
    assert await holder_of(services, target) is None


async def test_a_crashed_holder_s_lock_is_taken_over_once_its_lease_has_expired(services, clock):
    first, second, target = await running_tasks(services, clock)
    assert target.id is not None
    async with services.store.transaction() as uow:
        assert await uow.target_locks.take(target.id, first, clock.now()) is None  # then its node dies
    async with services.store.transaction() as uow:
        held = await uow.target_locks.take(target.id, second, clock.now())
    assert held is not None and held.task_id == first  # its lease still runs: it may be alive

    clock.advance(seconds=LEASE.total_seconds() + 1)
    log = WatchedLog("Waiting")
    async with TargetLocks(services.store, clock, poll_seconds=3600).lock(second, target, log, asyncio.Event()):
        assert await holder_of(services, target) == second
    assert log.lines == []


async def test_a_deployment_canceled_while_it_waits_for_a_target_stops_waiting(services, clock):
    first, second, target = await running_tasks(services, clock)
    locks = TargetLocks(services.store, clock, poll_seconds=3600)
    cancel, log = asyncio.Event(), WatchedLog("Waiting")

    async def run_second() -> None:
        async with locks.lock(second, target, log, cancel):
            raise AssertionError("it ran although the target was held")

    async with locks.lock(first, target, WatchedLog("-"), asyncio.Event()):
        waiting = asyncio.create_task(run_second())
        await log.seen.wait()
        cancel.set()
        with pytest.raises(DeploymentCanceled, match="canceled while waiting for web-01"):
            await waiting
        assert await holder_of(services, target) == first
