"""Reaching a target's machine: reading its host key when it is added, and health checks on demand.

The probe runs outside any transaction (a slow or unreachable host holds no database lock); what it found
is then recorded in one. A host key is pinned on first use only when asked (`trust`), and a pinned key is
replaced only when asked explicitly (`trust_new_key`): a changed key otherwise makes the check Unhealthy,
never a silent re-trust. Pinning, replacing and each change of health status are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.agents import DEFAULT_AGENT_TIMEOUT_SECONDS, agent_health
from seaway.domain.ids import format_id
from seaway.domain.targets import (
    DeploymentTarget,
    HealthReport,
    HealthStatus,
    SshEndpoint,
    invalid,
    not_pinned_message,
    validate_fingerprint,
)
from seaway.engine.clock import Clock
from seaway.engine.targets import TargetProbe
from seaway.errors import Conflict, TargetError
from seaway.store.audit import AuditEvent, EventFacts
from seaway.store.unit_of_work import Store, UnitOfWork


@dataclass(frozen=True)
class CheckOutcome:
    target: DeploymentTarget  # as stored once the check is recorded
    report: HealthReport
    pinned: str | None = None  # the host key fingerprint this check pinned
    replaced: str | None = None  # the pinned one it replaced (`trust_new_key`)


async def with_fingerprint(probe: TargetProbe, target: DeploymentTarget) -> DeploymentTarget:
    """The target with its host key's fingerprint, read from the machine unless the target already has one."""
    endpoint = target.endpoint
    if not isinstance(endpoint, SshEndpoint) or endpoint.fingerprint:
        return target
    try:
        presented = await probe.fingerprint(endpoint.host, endpoint.port)
    except TargetError as exc:
        raise invalid(
            "endpoint.host",
            f"cannot read the host key of {endpoint.address}: {exc.message}; check the host and port, or give "
            "the fingerprint",
        ) from None
    fingerprint = validate_fingerprint(presented, field="endpoint.fingerprint")
    return replace(target, endpoint=replace(endpoint, fingerprint=fingerprint))


async def run_health_check(
    store: Store,
    probe: TargetProbe,
    clock: Clock,
    target: DeploymentTarget,
    *,
    actor: Actor | None,
    trust: bool = False,
    trust_new_key: bool = False,
    agent_timeout: float = DEFAULT_AGENT_TIMEOUT_SECONDS,
) -> CheckOutcome:
    """Check `target` (as it was read) and record the result; `actor` None is Seaway itself. A polling agent
    is not reached: it is as healthy as its last request for work says (`agent_health`)."""
    assert target.id is not None
    if not isinstance(target.endpoint, SshEndpoint):
        async with store.reading() as uow:
            seen = await uow.agents.find(target.id)
        return await _record(store, clock, target, agent_health(seen, clock.now(), agent_timeout), None, actor)
    endpoint = target.endpoint
    async with store.reading() as uow:
        account = await uow.accounts.get_by_name(endpoint.account)
    pinned_before = endpoint.fingerprint
    presented: str | None = None
    if not pinned_before or trust_new_key:
        try:
            presented = validate_fingerprint(await probe.fingerprint(endpoint.host, endpoint.port), field="fingerprint")
        except TargetError as exc:
            report = HealthReport(HealthStatus.UNAVAILABLE, (f"cannot reach {endpoint.address}: {exc.message}",))
            return await _record(store, clock, target, report, None, actor)
    if not pinned_before and not (trust or trust_new_key):
        report = HealthReport(HealthStatus.UNHEALTHY, (not_pinned_message(target, presented),))
        return await _record(store, clock, target, report, None, actor)
    pin = presented if presented is not None and presented != pinned_before else None
    checked = replace(target, endpoint=replace(endpoint, fingerprint=pin or pinned_before))
    try:
        report = await probe.check(checked, account)
    except TargetError as exc:
        report = HealthReport(HealthStatus.UNAVAILABLE, (exc.message,))
    return await _record(store, clock, target, report, pin, actor)


async def _record(
    store: Store,
    clock: Clock,
    target: DeploymentTarget,
    report: HealthReport,
    pin: str | None,
    actor: Actor | None,
) -> CheckOutcome:
    assert target.id is not None
    now = clock.now()
    before = target.endpoint.fingerprint if isinstance(target.endpoint, SshEndpoint) else ""
    replaced = before or None
    async with store.transaction() as uow:
        current = await uow.targets.get(target.id)
        if pin is not None:
            if not await uow.targets.pin_fingerprint(target.id, pin, replacing=before):
                raise Conflict(
                    f'the host key of "{target.name}" was changed while it was checked; check it again',
                    entity="target",
                    id=format_id("target", target.id),
                )
            action = "target.fingerprint_replaced" if replaced else "target.fingerprint_pinned"
            details = {"fingerprint": {"before": replaced, "after": pin}, "address": target.endpoint.address}
            await _audit(uow, actor, now, action, current, details)
        await uow.targets.record_health(target.id, report, now)
        if current.health is not report.status:
            details = {
                "health": {"before": str(current.health), "after": str(report.status)},
                "messages": list(report.messages),
            }
            await _audit(uow, actor, now, "target.health_changed", current, details)
        stored = await uow.targets.get(target.id)
    return CheckOutcome(stored, report, pin, replaced if pin is not None else None)


async def _audit(
    uow: UnitOfWork,
    actor: Actor | None,
    now: datetime,
    action: str,
    target: DeploymentTarget,
    details: Mapping[str, object],
) -> None:
    values: EventFacts = {
        "at": now,
        "action": action,
        "entity": "target",
        "entity_id": format_id("target", target.id),
        "details": details,
    }
    await uow.audit.record(AuditEvent.by_whom(actor, **values))
