"""Scheduled health checks on both databases, with a clock the test moves: each target is checked on its
machine policy's schedule as a due work item, checks run side by side across targets, a change of health is
audited as Seaway's; policies and the targets naming them are checked when applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml
from tests.fixtures.targets import MachineProbe, fingerprint_of, private_key_text, services_reaching, space_yaml

from seaway.bootstrap import Services
from seaway.domain.targets import Account, DeploymentTarget, HealthReport, HealthStatus
from seaway.engine.scheduled_checks import ScheduledChecks
from seaway.errors import InvalidInput

POLICIES = """machine_policies:
  - {name: Fast, health_check: {every: 30m}}
  - {name: Edge, connectivity: may-be-offline}
"""


def target(name: str, host: str, policy: str | None = None) -> str:
    chosen = f", policy: {policy}" if policy else ""
    return (
        f"  - {{name: {name}, environments: [Test], roles: [web]{chosen}, endpoint: {{type: ssh, host: {host}, "
        f"account: deploy-key, fingerprint: '{fingerprint_of(f'{host}:22')}'}}}}\n"
    )


TARGETS = target("web-01", "10.0.0.1", "Fast") + target("web-02", "10.0.0.2") + target("web-03", "10.0.0.3", "Edge")


class Meeting(MachineProbe):
    """A probe whose checks each wait until `size` of them are in flight at once."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size, self.active, self.most, self.met = size, 0, 0, asyncio.Event()

    async def check(self, target: DeploymentTarget, account: Account) -> HealthReport:
        self.active += 1
        self.most = max(self.most, self.active)
        if self.active >= self.size:
            self.met.set()
        try:
            await self.met.wait()
            return await super().check(target, account)
        finally:
            self.active -= 1


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def probe() -> Meeting:
    return Meeting(size=3)


@pytest.fixture
async def services(db_url: str, tmp_path: Path, probe: Meeting, clock: FakeClock) -> AsyncIterator[Services]:
    async with services_reaching(db_url, tmp_path / "data", probe, clock) as built:
        await apply_yaml(built, POLICIES + space_yaml(private_key_text(), TARGETS))
        yield built


def checked(probe: MachineProbe) -> list[str]:
    names = [t.name for t, _ in probe.checked]
    probe.checked.clear()
    return sorted(names)


async def test_targets_are_checked_on_their_policy_s_schedule_in_parallel(services, probe, clock):
    schedule = ScheduledChecks(services.store, probe, clock)

    assert await schedule.tick() == 3  # never checked: due now
    await services.worker.run_until_idle()
    assert checked(probe) == ["web-01", "web-02", "web-03"]
    assert probe.most == 3  # side by side, not one after another

    assert await schedule.tick() == 3  # the next ones, due later
    assert await schedule.tick() == 0  # already scheduled
    clock.advance(minutes=29)
    await services.worker.run_until_idle()
    assert checked(probe) == []

    clock.advance(minutes=2)
    await services.worker.run_until_idle()
    assert checked(probe) == ["web-01"]  # Fast: every 30 minutes

    await schedule.tick()
    clock.advance(minutes=30)
    await services.worker.run_until_idle()
    assert checked(probe) == ["web-01", "web-02", "web-03"]  # the default policy and Edge: every hour


async def test_a_scheduled_check_that_finds_a_change_audits_it_as_seaway(services, probe, clock):
    schedule = ScheduledChecks(services.store, probe, clock)
    probe.size = 1
    await schedule.tick()
    await services.worker.run_until_idle()
    probe.down.add(("10.0.0.2", 22))
    await schedule.tick()
    clock.advance(hours=1)
    await services.worker.run_until_idle()

    async with services.store.reading() as uow:
        events = [e for e in await uow.audit.list() if e.action == "target.health_changed"]
        down = await uow.targets.get_by_name("web-02")
    assert down.health is HealthStatus.UNAVAILABLE
    changes = [(e.entity_id, e.details["health"]["after"], e.actor) for e in events]
    assert changes.count((f"Machines-{down.id}", "Unavailable", "seaway")) == 1
    assert len([c for c in changes if c[1] == "Healthy"]) == 3


async def test_a_disabled_target_is_not_scheduled(services, probe, clock):
    await apply_yaml(
        services,
        space_yaml(
            private_key_text(),
            TARGETS.replace("roles: [web], policy: Fast", "roles: [web], enabled: false, policy: Fast"),
        ),
    )
    probe.size = 2

    assert await ScheduledChecks(services.store, probe, clock).tick() == 2
    await services.worker.run_until_idle()
    assert checked(probe) == ["web-02", "web-03"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (POLICIES.replace("every: 30m", "every: soon"), "machine_policies[0].health_check.every"),
        (POLICIES.replace("every: 30m", "every: 10s"), "machine_policies[0].health_check.every"),
        (POLICIES.replace("may-be-offline", "sometimes"), "machine_policies[1].connectivity"),
        (space_yaml(private_key_text(), target("web-09", "10.0.0.9", "Slow")), "targets[0].policy"),
    ],
)
async def test_bad_policies_are_refused_naming_the_path(services, document, field):
    with pytest.raises(InvalidInput) as refused:
        await apply_yaml(services, document)

    assert refused.value.field == field
    async with services.store.reading() as uow:
        assert await uow.targets.find_by_name("web-09") is None
