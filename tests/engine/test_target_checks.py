"""Health checks on both databases, through a probe that answers as the machines would: a host key pinned
on first use only when trusted, a changed key Unhealthy and never re-trusted unless asked, an unreachable
machine Unavailable, and every change of status audited once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml
from tests.fixtures.targets import MachineProbe, fingerprint_of, private_key_text, services_reaching, space_yaml

from seaway.bootstrap import Services
from seaway.domain.targets import DeploymentTarget, HealthStatus
from seaway.engine.target_checks import CheckOutcome, run_health_check, with_fingerprint
from seaway.errors import InvalidInput
from seaway.store.audit import AuditEvent

KEY = private_key_text()
ADDRESS = ("10.0.0.5", 2222)
PRESENTED = fingerprint_of("the key 10.0.0.5 presents")
WEB = "  - {name: web-01, environments: [Test], roles: [web], endpoint: {type: ssh, host: 10.0.0.5, port: 2222, %s}}\n"


@pytest.fixture
def machines() -> MachineProbe:
    return MachineProbe(keys={ADDRESS: PRESENTED})


@pytest.fixture
async def services(db_url: str, tmp_path: Path, machines: MachineProbe) -> AsyncIterator[Services]:
    async with services_reaching(db_url, tmp_path / "data", machines, FakeClock()) as built:
        yield built


async def web_01(services: Services, fingerprint: str | None = PRESENTED) -> DeploymentTarget:
    endpoint = "account: deploy-key" + (f", fingerprint: '{fingerprint}'" if fingerprint else "")
    await apply_yaml(services, space_yaml(KEY, WEB % endpoint))
    async with services.store.reading() as uow:
        return await uow.targets.get_by_name("web-01")


async def check(services: Services, target: DeploymentTarget, **flags: bool) -> CheckOutcome:
    return await run_health_check(services.store, services.target_probe, services.clock, target, actor=None, **flags)


async def events(services: Services, prefix: str = "target.") -> list[AuditEvent]:
    async with services.store.reading() as uow:
        return [e for e in await uow.audit.list() if e.action.startswith(prefix) and e.action != "target.created"]


async def test_a_healthy_target_is_recorded_healthy_and_the_change_audited_once(services, machines):
    target = await web_01(services)

    first = await check(services, target)
    second = await check(services, first.target)

    assert first.report.status is HealthStatus.HEALTHY and first.pinned is None
    assert first.target.health is HealthStatus.HEALTHY and first.target.checked_at == services.clock.now()
    assert first.target.health_messages == machines.report.messages
    (changed,) = await events(services)
    assert (changed.action, changed.entity_id, changed.actor) == ("target.health_changed", "Machines-1", "seaway")
    assert changed.details["health"] == {"before": "Unknown", "after": "Healthy"}
    assert second.target.health is HealthStatus.HEALTHY
    checked_target, checked_account = machines.checked[0]
    assert checked_target.endpoint.fingerprint == PRESENTED and checked_account.name == "deploy-key"
    assert checked_account.secret == KEY


async def test_without_a_pinned_key_a_check_refuses_and_names_the_key_to_trust(services, machines):
    target = await web_01(services, fingerprint=None)

    outcome = await check(services, target)

    assert outcome.report.status is HealthStatus.UNHEALTHY and outcome.pinned is None
    (message,) = outcome.report.messages
    assert PRESENTED in message and "seaway target check web-01 --trust" in message
    assert machines.checked == []  # never signed in to a host it does not know
    assert outcome.target.endpoint.fingerprint == ""


async def test_trust_pins_the_key_on_first_use_and_audits_it(services, machines):
    target = await web_01(services, fingerprint=None)

    outcome = await check(services, target, trust=True)

    assert outcome.pinned == PRESENTED and outcome.replaced is None
    assert outcome.target.endpoint.fingerprint == PRESENTED
    assert outcome.report.status is HealthStatus.HEALTHY
    pinned = [e for e in await events(services) if e.action == "target.fingerprint_pinned"]
    assert pinned[0].details["fingerprint"] == {"before": None, "after": PRESENTED}


async def test_a_changed_host_key_is_unhealthy_and_trust_does_not_replace_it(services, machines):
    target = await web_01(services)
    machines.keys[ADDRESS] = fingerprint_of("a new key")

    outcome = await check(services, target, trust=True)

    assert outcome.report.status is HealthStatus.UNHEALTHY and "host key changed" in outcome.report.messages[0]
    assert outcome.pinned is None and outcome.target.endpoint.fingerprint == PRESENTED


async def test_trust_new_key_replaces_a_changed_key_and_audits_both_keys(services, machines):
    target = await web_01(services)
    new_key = fingerprint_of("a new key")
    machines.keys[ADDRESS] = new_key

    outcome = await check(services, target, trust_new_key=True)

    assert (outcome.pinned, outcome.replaced) == (new_key, PRESENTED)
    assert outcome.report.status is HealthStatus.HEALTHY and outcome.target.endpoint.fingerprint == new_key
    (replaced,) = [e for e in await events(services) if e.action == "target.fingerprint_replaced"]
    assert replaced.details["fingerprint"] == {"before": PRESENTED, "after": new_key}


async def test_trust_new_key_with_the_same_key_pins_nothing(services, machines):
    outcome = await check(services, await web_01(services), trust_new_key=True)

    assert outcome.pinned is None and outcome.report.status is HealthStatus.HEALTHY
    assert not [e for e in await events(services) if "fingerprint" in e.action]


async def test_an_unreachable_machine_is_unavailable(services, machines):
    target = await web_01(services)
    await check(services, target)
    machines.down.add(ADDRESS)

    outcome = await check(services, target)

    assert outcome.report.status is HealthStatus.UNAVAILABLE and "Connection refused" in outcome.report.messages[0]
    changes = [e.details["health"] for e in await events(services) if e.action == "target.health_changed"]
    assert changes == [{"before": "Unknown", "after": "Healthy"}, {"before": "Healthy", "after": "Unavailable"}]


async def test_an_unpinned_unreachable_machine_is_unavailable_even_when_trusted(services, machines):
    machines.down.add(ADDRESS)
    outcome = await check(services, await web_01(services, fingerprint=None), trust=True)

    assert outcome.report.status is HealthStatus.UNAVAILABLE and outcome.pinned is None
    assert "cannot reach 10.0.0.5:2222" in outcome.report.messages[0]


async def test_a_new_target_gets_the_key_its_machine_presents_or_a_refusal_naming_the_host(services, machines):
    target = await web_01(services, fingerprint=None)

    assert (await with_fingerprint(machines, target)).endpoint.fingerprint == PRESENTED
    machines.down.add(ADDRESS)
    with pytest.raises(InvalidInput) as refused:
        await with_fingerprint(machines, target)
    assert (
        refused.value.field == "endpoint.host" and "cannot read the host key of 10.0.0.5:2222" in refused.value.message
    )
