"""Polling agents under /api/v1: registering one (by `seaway agent register`) and revoking it.

    POST /agents/register          {name, environments, roles, home, hostname} → the target, the secret
                                   (shown once), the agent listener's port and the certificate to pin
    POST /agents/{name}/revoke     its next request is refused

Both need `target.edit` in every environment of the target, as changing the target does.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import Field

from seaway.config.reader import Node
from seaway.config.target_documents import parse_target
from seaway.domain.ids import format_id
from seaway.domain.targets import DeploymentTarget, invalid
from seaway.domain.users import User
from seaway.engine.agents import register_agent, revoke_agent
from seaway.errors import Conflict
from seaway.store.audit import AuditEvent
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api import crud
from seaway.web.api.bodies import DocumentBody, Names
from seaway.web.api.targets import require_edit, target_json, visible_target
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = crud.resource_router("agents")


class RegisterBody(DocumentBody):
    name: str
    environments: Names = Field(description="at least one environment's name")
    roles: Names = Field(description="at least one role")
    home: str = Field(description="the agent's own directory for this registration, absolute on its machine")
    hostname: str = ""


async def _audit(
    uow: UnitOfWork, request: Request, user: User, action: str, target: DeploymentTarget, details: dict[str, Any]
) -> None:
    event = AuditEvent.by(
        api_actor(request, user),
        at=services_of(request).clock.now(),
        action=action,
        entity="target",
        entity_id=format_id("target", target.id),
        details=details,
    )
    await uow.audit.record(event)


@router.post("/agents/register", status_code=201, name="register_agent")
async def register(request: Request, user: CurrentUser, body: RegisterBody) -> dict[str, Any]:
    services = services_of(request)
    sent = body.model_dump(exclude_unset=True, exclude_none=True, include={"name", "environments", "roles"})
    wanted = parse_target(Node({**sent, "endpoint": {"type": "agent"}}, ""))
    require_edit(user, wanted)
    certificate = services.agent_certificate
    if certificate is None or not services.settings.agent_port:
        raise Conflict("this server does not listen for agents (SEAWAY_AGENT_PORT is 0)", entity="agent", id="")
    async with services.store.transaction() as uow:
        existing = await uow.targets.find_by_name(wanted.name)
        if existing is not None:
            require_edit(user, existing)
        issued = await register_agent(
            uow, existing, wanted, home=body.home, hostname=body.hostname, now=services.clock.now()
        )
        details = {"created": issued.created, "hostname": body.hostname}
        await _audit(uow, request, user, "target.agent_registered", issued.target, details)
    return {
        "target": target_json(issued.target),
        "secret": issued.secret,
        "agent_port": services.settings.agent_port,
        "certificate": certificate.pem,
        "thumbprint": certificate.thumbprint,
    }


@router.post("/agents/{name}/revoke", name="revoke_agent")
async def revoke(request: Request, user: CurrentUser, name: str) -> dict[str, Any]:
    services = services_of(request)
    async with services.store.transaction() as uow:
        target = await visible_target(uow, user, name)
        require_edit(user, target)
        if not await revoke_agent(uow, target):
            raise invalid("name", f'"{target.name}" has no registered agent')
        await _audit(uow, request, user, "target.agent_revoked", target, {})
    return {"revoked": target.name}
