"""Interruptions under /api/v1: list, show, take ("assign to me"), submit (proceed or abort), resend links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.interruptions import Interruption, Result, may_decide
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.decisions import list_interruptions, submit_decision, take
from seaway.engine.faults import AFTER_DECISION_COMMIT
from seaway.engine.link_reissue import reissue_links
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Scopes, Where, require, require_visible, visible
from seaway.web.api.bodies import Body
from seaway.web.api.common import MineQuery, StateQuery
from seaway.web.api.representations import when
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = APIRouter(tags=["interruptions"])


class Submission(Body):
    result: Result = Field(description="proceed (approve) or abort (reject)")
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
    state: StateQuery = "pending",
    mine: MineQuery = False,
) -> list[dict[str, Any]]:
    """The interruptions the caller may see (`interruption.view` for their project and environment)."""
    cache: dict[int, User] = {}
    async with services_of(request).store.reading() as uow:
        listed = await list_interruptions(uow, user, state=state, mine=mine)
        places = await Scopes(uow.conn).of_deployments(i.deployment_id for i, _ in listed)
        shown = visible(user, Permission.INTERRUPTION_VIEW, listed, lambda pair: places[pair[0].deployment_id])
        return [await interruption_json(uow, i, can, cache) for i, can in shown]


@router.get("/interruptions/{interruption_id}")
async def get_one(request: Request, interruption_id: str, user: CurrentUser) -> dict[str, Any]:
    async with services_of(request).store.reading() as uow:
        interruption, _ = await visible_interruption(uow, user, interruption_id)
        teams = await uow.teams.list()
        can = interruption.is_pending and may_decide(interruption, user, teams, interruption.project_name)
        return await interruption_json(uow, interruption, can)


async def visible_interruption(uow: UnitOfWork, user: User, interruption_id: str) -> tuple[Interruption, Where]:
    """The interruption and where its deployment runs, if `user` may see it; otherwise an unknown one's 404."""
    number = parse_id("interruption", interruption_id)
    interruption = await uow.interruptions.get(number)
    where = await Scopes(uow.conn).of_deployment(interruption.deployment_id)
    require_visible(user, Permission.INTERRUPTION_VIEW, where, "interruption", number)
    return interruption, where


async def _acting_on(uow: UnitOfWork, request: Request, interruption_id: str, user: User) -> tuple[int, Actor]:
    """For take, submit and resend: the interruption's number and who acts on it, once they may
    (`interruption.submit` where its deployment runs; deciding needs being responsible besides)."""
    interruption, where = await visible_interruption(uow, user, interruption_id)
    require(user, Permission.INTERRUPTION_SUBMIT, where)
    assert interruption.id is not None
    return interruption.id, api_actor(request, user)


@router.post("/interruptions/{interruption_id}/take")
async def take_one(request: Request, interruption_id: str, user: CurrentUser) -> dict[str, Any]:
    services = services_of(request)
    async with services.store.transaction() as uow:
        number, actor = await _acting_on(uow, request, interruption_id, user)
        taken = await take(uow, number, actor, now=services.clock.now())
        return await interruption_json(uow, taken, True)


@router.post("/interruptions/{interruption_id}/submit")
async def submit(request: Request, interruption_id: str, body: Submission, user: CurrentUser) -> dict[str, Any]:
    services = services_of(request)
    async with services.store.transaction() as uow:
        number, actor = await _acting_on(uow, request, interruption_id, user)
        decided = await submit_decision(
            uow, number, actor, result=body.result, notes=body.notes, now=services.clock.now()
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
    services = services_of(request)
    async with services.store.transaction() as uow:
        number, actor = await _acting_on(uow, request, interruption_id, user)
        reissued = await reissue_links(
            uow, number, actor, links=services.links, now=services.clock.now(), usernames=body.users if body else ()
        )
    return {
        "id": format_id("interruption", reissued.interruption.id),
        "sent_to": [recipient.username for recipient in reissued.recipients],
        "expires_at": when(reissued.expires_at),
    }
