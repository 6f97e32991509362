"""Interruptions under /api/v1: list, show, take ("assign to me"), submit (proceed or abort), resend links."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from seaway.domain.ids import format_id, parse_id
from seaway.domain.interruptions import Interruption, may_decide
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.approvals import list_interruptions, submit_decision, take
from seaway.engine.faults import AFTER_DECISION_COMMIT
from seaway.engine.link_reissue import reissue_links
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.bodies import Body
from seaway.web.api.representations import when
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["interruptions"])


class Submission(Body):
    result: Literal["proceed", "abort"] = Field(description="proceed (approve) or abort (reject)")
    notes: str = Field("", max_length=4000, description="Required to abort: why.")


async def _user_json(uow: UnitOfWork, user_id: int | None, cache: dict[int, User]) -> dict[str, Any] | None:
    if user_id is None:
        return None
    if user_id not in cache:
        cache[user_id] = await uow.users.get(user_id)
    user = cache[user_id]
    return {"id": format_id("user", user.id), "username": user.username, "display_name": user.label}


async def interruption_json(
    uow: UnitOfWork, interruption: Interruption, can_decide: bool, cache: dict[int, User] | None = None
) -> dict[str, Any]:
    users = cache if cache is not None else {}
    return {
        "id": format_id("interruption", interruption.id),
        "kind": interruption.kind.value,
        "state": interruption.state.value,
        "title": interruption.title,
        "instructions": interruption.instructions,
        "project": interruption.project_name,
        "project_id": format_id("project", interruption.project_id),
        "release": interruption.release_version,
        "release_id": format_id("release", interruption.release_id),
        "environment": interruption.environment,
        "step": interruption.step_name,
        "task_id": format_id("task", interruption.task_id),
        "deployment_id": format_id("deployment", interruption.deployment_id),
        "responsible_teams": list(interruption.responsible_teams),
        "requested_by": await _user_json(uow, interruption.requested_by, users),
        "allow_self_approval": interruption.allow_self_approval,
        "can_decide": can_decide,
        "created_at": when(interruption.created_at),
        "taken_by": await _user_json(uow, interruption.taken_by, users),
        "taken_at": when(interruption.taken_at),
        "result": interruption.result.value if interruption.result else None,
        "outcome": interruption.outcome.value if interruption.outcome else None,
        "notes": interruption.notes,
        "decided_by": await _user_json(uow, interruption.decided_by, users),
        "decided_at": when(interruption.decided_at),
        "channel": interruption.channel,
        "content_hash": interruption.content_hash,
    }


@router.get("/interruptions")
async def list_all(
    request: Request,
    user: CurrentUser,
    state: Literal["pending", "completed", "all"] = Query("pending", description="pending, completed or all"),
    mine: bool = Query(False, description="only the ones I may decide"),
) -> list[dict[str, Any]]:
    allow(user, Permission.INTERRUPTION_VIEW)
    cache: dict[int, User] = {}
    async with services_of(request).store.reading() as uow:
        listed = await list_interruptions(uow, user, state=state, mine=mine)
        return [await interruption_json(uow, i, can, cache) for i, can in listed]


@router.get("/interruptions/{interruption_id}")
async def get_one(request: Request, interruption_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.INTERRUPTION_VIEW)
    async with services_of(request).store.reading() as uow:
        interruption = await uow.interruptions.get(parse_id("interruption", interruption_id))
        teams = await uow.teams.list()
        can = interruption.is_pending and may_decide(interruption, user, teams, interruption.project_name)
        return await interruption_json(uow, interruption, can)


def _client(request: Request) -> tuple[str | None, str | None]:
    return (request.client.host if request.client else None), request.headers.get("user-agent")


def _channel(request: Request) -> str:
    # The CLI says who it is, so the audit log can tell its decisions from other API clients'.
    return "cli" if request.headers.get("x-seaway-client") == "cli" else "api"


@router.post("/interruptions/{interruption_id}/take")
async def take_one(request: Request, interruption_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.INTERRUPTION_SUBMIT)
    services = services_of(request)
    ip, agent = _client(request)
    async with services.store.transaction() as uow:
        taken = await take(
            uow,
            parse_id("interruption", interruption_id),
            user,
            now=services.clock.now(),
            channel=_channel(request),
            ip=ip,
            user_agent=agent,
        )
        return await interruption_json(uow, taken, True)


@router.post("/interruptions/{interruption_id}/submit")
async def submit(request: Request, interruption_id: str, body: Submission, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.INTERRUPTION_SUBMIT)
    services = services_of(request)
    ip, agent = _client(request)
    async with services.store.transaction() as uow:
        decided = await submit_decision(
            uow,
            parse_id("interruption", interruption_id),
            user,
            result=body.result,
            notes=body.notes,
            channel=_channel(request),
            now=services.clock.now(),
            ip=ip,
            user_agent=agent,
        )
        answer = await interruption_json(uow, decided, False)
    services.faults.reached(AFTER_DECISION_COMMIT)
    return answer


class LinkResend(Body):
    users: list[str] = Field(default_factory=list, description="only these usernames; empty: everyone responsible")


@router.post("/interruptions/{interruption_id}/links")
async def resend_links(
    request: Request, interruption_id: str, user: CurrentUser, body: LinkResend | None = None
) -> dict[str, Any]:
    """Email new Approve and Reject links (the old ones of those people stop working)."""
    allow(user, Permission.INTERRUPTION_SUBMIT)
    services = services_of(request)
    ip, agent = _client(request)
    async with services.store.transaction() as uow:
        reissued = await reissue_links(
            uow,
            parse_id("interruption", interruption_id),
            user,
            links=services.links,
            now=services.clock.now(),
            usernames=body.users if body else (),
            channel=_channel(request),
            ip=ip,
            user_agent=agent,
        )
    return {
        "id": format_id("interruption", reissued.interruption.id),
        "sent_to": [recipient.username for recipient in reissued.recipients],
        "expires_at": when(reissued.expires_at),
    }
