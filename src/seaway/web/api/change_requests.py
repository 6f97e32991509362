"""Change requests under /api/v1: list (and report on a period, `?from=&to=`), show, approve and reject
(`SEA-12` or `12`); and the preview of what a deployment would need (`GET /deployments/preview`).

Seeing one needs `interruption.view` where its deployment runs; deciding needs being an approver the
request's policy names, as the teams are at decision time (a 403 `not_responsible` otherwise, and
`self_approval_refused` for the deployer when the policy blocks the creator).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from seaway.domain.audit_exports import parse_period
from seaway.domain.change_requests import ChangeRequest, format_number, parse_number
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Result
from seaway.domain.permissions import Permission, allows
from seaway.domain.policies import merged_to_json
from seaway.domain.users import User
from seaway.engine.change_request_reports import ReportedRequest, change_request_report, report_of
from seaway.engine.change_requests import Progress, decide, progress_of
from seaway.engine.deployments import find_release
from seaway.engine.policies import preview
from seaway.engine.projects import find_project
from seaway.errors import InvalidInput
from seaway.store.audit import AuditEvent
from seaway.store.change_requests import StateFilter, unknown
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, require_visible, visible
from seaway.web.api.audit import audit_event_json
from seaway.web.api.bodies import Body
from seaway.web.api.common import MineQuery
from seaway.web.api.representations import when
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = APIRouter(tags=["change-requests"])


class Approval(Body):
    note: str = Field("", max_length=4000, description="A note for the deployer and the audit log.")


class Rejection(Body):
    reason: str = Field("", max_length=4000, description="Required: why.")


def change_request_json(progress: Progress, user: User) -> dict[str, Any]:
    request = progress.request
    return {
        "id": format_number(request.id),
        "state": request.state.value,
        "project": request.project,
        "environment": request.environment,
        "release": request.release_version,
        "deployment_id": format_id("deployment", request.deployment_id),
        "task_id": format_id("task", request.task_id),
        "requested_by": request.requested_by_username,
        "created_at": when(request.created_at),
        "decided_at": when(request.decided_at),
        "reason": request.reason,
        "changes": list(request.changes),
        "content_hash": request.content_hash,
        "policy": merged_to_json(request.policy),
        "needed": progress.tally.needed,
        "approvals": progress.tally.have,
        "quorum": [{"team": c.team, "minimum": c.needed, "approvals": c.have} for c in progress.tally.clauses],
        "blocked": progress.blocked,
        "approvers": sorted(progress.eligible),
        "decisions": [
            {
                "username": d.username,
                "result": d.result.value,
                "notes": d.notes,
                "channel": d.channel,
                "decided_at": when(d.decided_at),
            }
            for d in progress.decisions
        ],
        "can_decide": progress.may_decide(user),
        "escalated_teams": list(request.escalated_teams),
    }


async def change_request_summary(uow: UnitOfWork, deployment_id: int) -> dict[str, Any] | None:
    """What a deployment shows of its change request: which, its state and what it waits for."""
    found = await uow.change_requests.find_for_deployment(deployment_id)
    if found is None:
        return None
    progress = await progress_of(uow, found)
    return {
        "id": format_number(found.id),
        "state": found.state.value,
        "needed": progress.tally.needed,
        "approvals": progress.tally.have,
        "blocked": progress.blocked,
        "reason": found.reason,
    }


def _where(request: ChangeRequest) -> Where:
    return Where(request.project, request.environment)


async def _visible(uow: UnitOfWork, user: User, ref: str) -> ChangeRequest:
    number = parse_number(ref)
    request = await uow.change_requests.get(number)
    if not allows(user, Permission.INTERRUPTION_VIEW, request.project, request.environment):
        raise unknown(number)
    return request


@router.get("/deployments/preview")
async def preview_deployment(
    request: Request,
    user: CurrentUser,
    project: Annotated[str, Query(description="project name or id")],
    release: Annotated[str, Query(description="release version")],
    environment: Annotated[str, Query(description="environment name")],
) -> dict[str, Any]:
    """The policies that would gate a deployment by the caller, who could approve it, and whether anyone
    could: `possible: false` with the reason when the quorum cannot be met."""
    async with services_of(request).store.reading() as uow:
        found = await find_project(uow, project)
        target = await uow.environments.find_by_name(environment)
        if target is None:
            raise InvalidInput(f'unknown environment "{environment}"', field="environment")
        require_visible(user, Permission.DEPLOYMENT_VIEW, Where(found.name, target.name), "project", project)
        chosen = await find_release(uow, found, release)
        seen = await preview(uow, found.name, target.name, user.username, services_of(request).clock.now())
    return {
        "project": found.name,
        "release": chosen.version,
        "environment": target.name,
        "gated": seen.merged is not None,
        "policy": merged_to_json(seen.merged) if seen.merged is not None else None,
        "approvers": list(seen.approvers),
        "possible": seen.impossible is None,
        "impossible": seen.impossible,
        "change_window": seen.change_window,
        "freeze": seen.freeze,
    }


@router.get("/change-requests")
async def list_change_requests(
    request: Request,
    user: CurrentUser,
    state: Annotated[
        StateFilter | None, Query(description="pending, completed or all; default pending, or all for a period")
    ] = None,
    mine: MineQuery = False,
    since: Annotated[str | None, Query(alias="from", max_length=64, description="created at or after it")] = None,
    until: Annotated[str | None, Query(alias="to", max_length=64, description="created before it")] = None,
) -> list[dict[str, Any]]:
    """The change requests the caller may see (`interruption.view` where their deployments run), each with
    its decisions, time to decision, outcome and the audited window waits, freezes, timeouts and escalations.
    Without a period: the newest 200; with `from` and/or `to`: every request created in it, oldest first."""
    start, end = parse_period(since, until, ordered="period")
    period = start is not None or end is not None
    shown_state = state or ("all" if period else "pending")
    async with services_of(request).store.reading() as uow:
        if period:
            reported = await change_request_report(
                uow, start=start, end=end, state=shown_state, shown=lambda r: _may_see(user, r)
            )
        else:
            newest = await uow.change_requests.list(state=shown_state)
            reported = await report_of(uow, visible(user, Permission.INTERRUPTION_VIEW, newest, _where))
        return [report_json(r, user) for r in reported if r.progress.may_decide(user) or not mine]


def report_json(reported: ReportedRequest, user: User) -> dict[str, Any]:
    """A change request as the list gives it: `change_request_json` and what an auditor asks about it."""
    request = reported.request
    return {
        **change_request_json(reported.progress, user),
        "approver_teams": list(request.policy.teams),
        "approver_users": list(request.policy.users),
        "seconds_to_decision": reported.seconds_to_decision,
        "outcome": {"state": request.state.value, "reason": request.reason},
        **{key: [_event_json(e) for e in events] for key, events in reported.events.items()},
    }


def _event_json(event: AuditEvent) -> dict[str, Any]:
    """An audited event of the request as the report names it: who and what, not where from (the IP address
    and the client stay with `audit.view`); `id` finds it in the audit log."""
    shown = audit_event_json(event)
    return {key: shown[key] for key in ("id", "time", "actor", "channel", "details")}


def _may_see(user: User, request: ChangeRequest) -> bool:
    return bool(visible(user, Permission.INTERRUPTION_VIEW, [request], _where))


@router.get("/change-requests/{change_request_id}")
async def get_change_request(request: Request, change_request_id: str, user: CurrentUser) -> dict[str, Any]:
    async with services_of(request).store.reading() as uow:
        found = await _visible(uow, user, change_request_id)
        return change_request_json(await progress_of(uow, found), user)


async def _decide(request: Request, ref: str, user: User, result: Result, notes: str) -> dict[str, Any]:
    services = services_of(request)
    async with services.store.transaction() as uow:
        found = await _visible(uow, user, ref)
        assert found.id is not None
        progress = await decide(
            uow,
            found.id,
            api_actor(request, user),
            result=result,
            notes=notes,
            now=services.clock.now(),
            public_url=services.links.public_url,
        )
        return change_request_json(progress, user)


@router.post("/change-requests/{change_request_id}/approve")
async def approve(request: Request, change_request_id: str, body: Approval, user: CurrentUser) -> dict[str, Any]:
    return await _decide(request, change_request_id, user, Result.PROCEED, body.note)


@router.post("/change-requests/{change_request_id}/reject")
async def reject(request: Request, change_request_id: str, body: Rejection, user: CurrentUser) -> dict[str, Any]:
    return await _decide(request, change_request_id, user, Result.ABORT, body.reason)
