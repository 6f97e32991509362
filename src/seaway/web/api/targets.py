"""Deployment targets under /api/v1, in the config document's shape.

    GET    /targets                  filtered: a target is seen where any of its environments is
    POST   /targets                  201; without a fingerprint the host key is read from the machine first
    GET    /targets/{id or name}
    PUT    /targets/{id or name}     a fingerprint left out keeps the pinned one (none if the host moved)
    DELETE /targets/{id or name}
    POST   /targets/{id or name}/check   {trust?, trust_new_key?}: a health check, recorded

A target lies in every environment it lists: changing it (or checking it) needs `target.edit` in each of
them, before the change and after. Reaching the machine happens outside any transaction.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import Field, StrictBool, StrictInt

from seaway.config.target_documents import parse_target
from seaway.domain.ids import MAX_ID, format_id
from seaway.domain.permissions import Permission
from seaway.domain.targets import DEFAULT_POLICY, DeploymentTarget
from seaway.domain.users import User
from seaway.engine.config_changes import target_view
from seaway.engine.names import refuse_name_clash
from seaway.engine.target_checks import CheckOutcome, run_health_check, with_fingerprint
from seaway.engine.targets import check_target, create_target, delete_target, find_target, update_target
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, hidden, may, require
from seaway.web.api import crud
from seaway.web.api.bodies import Body, DocumentBody, Names
from seaway.web.api.changes import Fields, record_request_change
from seaway.web.api.representations import when
from seaway.web.auth import AuthenticatedRead, CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = crud.resource_router("targets")
P = Permission


class SshEndpointBody(DocumentBody):
    type: str = Field(description="ssh, or agent (a polling agent: no other field)")
    host: str | None = Field(None, description="ssh: the host name or address")
    port: StrictInt = Field(22, ge=-MAX_ID, le=MAX_ID)
    account: str | None = Field(None, description="ssh: an account's name")
    fingerprint: str | None = Field(None, description="SHA256:...; left out: read from the host (POST) or kept (PUT)")


class TargetBody(DocumentBody):
    name: str
    environments: Names = Field(description="at least one environment's name")
    roles: Names = Field(description="at least one role (a word without spaces), shown as target tags")
    endpoint: SshEndpointBody
    enabled: StrictBool = True
    policy: str = DEFAULT_POLICY


class CheckBody(Body):
    trust: StrictBool = Field(False, description="pin the host key the machine presents if none is pinned yet")
    trust_new_key: StrictBool = Field(False, description="replace the pinned host key with the one presented")


def target_json(target: DeploymentTarget) -> dict[str, Any]:
    return {
        "id": format_id("target", target.id),
        **target_view(target),
        "health": {
            "status": str(target.health),
            "messages": list(target.health_messages),
            "checked_at": when(target.checked_at),
        },
    }


def check_json(outcome: CheckOutcome) -> dict[str, Any]:
    report = outcome.report
    return {
        **target_json(outcome.target),
        "check": {
            "status": str(report.status),
            "messages": list(report.messages),
            "pinned": outcome.pinned,
            "replaced": outcome.replaced,
        },
    }


def _may_view(user: User, target: DeploymentTarget) -> bool:
    return any(may(user, P.TARGET_VIEW, Where(environment=name)) for name in target.environments)


def require_edit(user: User, target: DeploymentTarget) -> None:
    for name in target.environments:
        require(user, P.TARGET_EDIT, Where(environment=name))


async def visible_target(uow: UnitOfWork, user: User, ref: str) -> DeploymentTarget:
    """The target `ref` names, if `user` may see it; otherwise the NotFound of an unknown one."""
    if not user.active:
        require(user, P.TARGET_VIEW)
    target = await find_target(uow, ref)
    if not _may_view(user, target):
        raise hidden("target", crud.ident_of("target", ref))
    return target


async def _audit(uow: UnitOfWork, request: Request, user: User, what: str, before: Any, after: Any) -> None:
    entity = after if after is not None else before
    await record_request_change(
        request, uow, user, action=f"target.{what}", kind="target", number=entity.id,
        before=Fields(target_view(before)) if before is not None else None,
        after=Fields(target_view(after)) if after is not None else None,
    )  # fmt: skip


@router.get("/targets", name="list_targets")
async def list_targets(read: AuthenticatedRead) -> list[dict[str, Any]]:
    if not read.user.active:
        require(read.user, P.TARGET_VIEW)
    return [target_json(t) for t in await read.uow.targets.list() if _may_view(read.user, t)]


@router.post("/targets", status_code=201, name="create_target")
async def post_target(request: Request, user: CurrentUser, body: TargetBody) -> dict[str, Any]:
    """Add a target; without a fingerprint, the host key the machine presents is read and pinned."""
    wanted = parse_target(body.node())
    require_edit(user, wanted)  # before reaching out to any machine
    services = services_of(request)
    async with services.store.reading() as uow:
        wanted = await check_target(uow, wanted)
        refuse_name_clash(await uow.targets.find_by_name(wanted.name), None, f'a target named "{wanted.name}"')
    wanted = await with_fingerprint(services.target_probe, wanted)
    async with services.store.transaction() as uow:
        created = await create_target(uow, wanted)
        await _audit(uow, request, user, "created", None, created)
    return target_json(created)


@router.get("/targets/{target_id}", name="get_target")
async def get_target(read: AuthenticatedRead, target_id: str) -> dict[str, Any]:
    return target_json(await visible_target(read.uow, read.user, target_id))


@router.put("/targets/{target_id}", name="update_target")
async def put_target(request: Request, user: CurrentUser, target_id: str, body: TargetBody) -> dict[str, Any]:
    async with services_of(request).store.transaction() as uow:
        before = await visible_target(uow, user, target_id)
        require_edit(user, before)
        wanted = parse_target(body.node())
        require_edit(user, wanted)  # moving a target into an environment is a change there too
        after = await update_target(uow, before, wanted)
        await _audit(uow, request, user, "updated", before, after)
    return target_json(after)


@router.delete("/targets/{target_id}", status_code=204, name="delete_target")
async def remove_target(request: Request, user: CurrentUser, target_id: str) -> None:
    async with services_of(request).store.transaction() as uow:
        before = await visible_target(uow, user, target_id)
        require_edit(user, before)
        await delete_target(uow, before)
        await _audit(uow, request, user, "deleted", before, None)


@router.post("/targets/{target_id}/check", name="check_target")
async def post_check(
    request: Request, user: CurrentUser, target_id: str, body: CheckBody | None = None
) -> dict[str, Any]:
    """Check the target's health now; `trust` pins the host key on first use, `trust_new_key` replaces it."""
    options = body or CheckBody()
    services = services_of(request)
    async with services.store.reading() as uow:
        target = await visible_target(uow, user, target_id)
    require_edit(user, target)
    outcome = await run_health_check(
        services.store,
        services.target_probe,
        services.clock,
        target,
        actor=api_actor(request, user),
        trust=options.trust,
        trust_new_key=options.trust_new_key,
        agent_timeout=services.settings.agent_timeout_seconds,
    )
    return check_json(outcome)
