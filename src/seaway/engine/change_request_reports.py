"""The auditors' view of change requests: each request of a period with its decisions, how long it took to
decide, how it ended, and what the audit log holds about its window waits, freezes, timeouts and escalations.

Read in the caller's unit of work in a fixed number of statements whatever the number of requests: the
requests, their decisions, the teams, and the audit events of the requests and of their deployments (each
list of ids in a few IN lists). An event not recorded yet by this Seaway (a feature that never ran) is simply
absent: its list is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from seaway.domain.change_requests import ChangeRequest, format_number
from seaway.domain.ids import format_id
from seaway.engine.change_requests import Progress, progress_with
from seaway.store.audit import AuditEvent
from seaway.store.change_requests import StateFilter
from seaway.store.unit_of_work import UnitOfWork

REPORT_LIMIT = 10_000  # requests in one report; a longer period is asked for in pieces

# The audit events a report gathers: the key the report lists them under, and the action.
REQUEST_EVENTS: Mapping[str, str] = {
    "window_waits": "change_request.window_wait",
    "window_closed": "change_request.window_closed",
    "timeouts": "change_request.timed_out",
    "escalations": "change_request.escalated",
    "reminders": "change_request.reminded",
    "voided": "change_request.voided",
}
DEPLOYMENT_EVENTS: Mapping[str, str] = {
    "freezes": "deployment.frozen",
    "freeze_overrides": "deployment.freeze_override",
}


@dataclass(frozen=True)
class ReportedRequest:
    progress: Progress
    events: Mapping[str, list[AuditEvent]] = field(default_factory=dict)  # by the keys of *_EVENTS

    @property
    def request(self) -> ChangeRequest:
        return self.progress.request

    @property
    def seconds_to_decision(self) -> float | None:
        """From creation to approval, rejection or cancellation; None while pending."""
        decided = self.request.decided_at
        return (decided - self.request.created_at).total_seconds() if decided is not None else None


async def change_request_report(
    uow: UnitOfWork,
    *,
    start: datetime | None,
    end: datetime | None,
    state: StateFilter = "all",
    shown: Callable[[ChangeRequest], bool] = lambda _: True,
    limit: int = REPORT_LIMIT,
) -> list[ReportedRequest]:
    """The requests created in [`start`, `end`) that `shown` keeps, oldest first, with what they went through."""
    listed = await uow.change_requests.created_between(start, end, state=state, limit=limit)
    return await report_of(uow, [r for r in listed if shown(r)])


async def report_of(uow: UnitOfWork, requests: list[ChangeRequest]) -> list[ReportedRequest]:
    """`requests`, in their order, with their decisions and what the audit log holds about them."""
    if not requests:
        return []
    numbers = [r.id for r in requests if r.id is not None]
    decisions = await uow.change_requests.decisions_of(numbers)
    teams = await uow.teams.list()
    by_request = await _events(uow, "change_request", [format_number(n) for n in numbers], REQUEST_EVENTS)
    deployments = [format_id("deployment", r.deployment_id) for r in requests]
    by_deployment = await _events(uow, "deployment", deployments, DEPLOYMENT_EVENTS)
    reported = []
    for request, deployment in zip(requests, deployments, strict=True):
        assert request.id is not None
        events = {**by_request.get(format_number(request.id), {}), **by_deployment.get(deployment, {})}
        keys = (*REQUEST_EVENTS, *DEPLOYMENT_EVENTS)
        progress = progress_with(request, decisions[request.id], teams)
        reported.append(ReportedRequest(progress, {key: events.get(key, []) for key in keys}))
    return reported


async def _events(
    uow: UnitOfWork, entity: str, entity_ids: list[str], keys: Mapping[str, str]
) -> dict[str, dict[str, list[AuditEvent]]]:
    """The events of `keys`' actions on `entity_ids`, by entity id and then by key."""
    key_of = {action: key for key, action in keys.items()}
    found: dict[str, dict[str, list[AuditEvent]]] = {}
    for event in await uow.audit.of_entities(entity, entity_ids, list(key_of)):
        found.setdefault(event.entity_id, {}).setdefault(key_of[event.action], []).append(event)
    return found
