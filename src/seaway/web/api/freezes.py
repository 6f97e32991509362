"""Freezes under /api/v1: the shared CRUD endpoints (a freeze reads as it does in the config document), and
letting one deployment through them.

Seeing freezes needs `policy.view`, changing them `policy.edit` (a freeze gates deployments as a policy
does); overriding one for a deployment needs `freeze.override` where the deployment runs, and a reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import Field

from seaway.config.freeze_documents import parse_freeze
from seaway.domain.freezes import Freeze
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.engine.freeze_overrides import override_freeze
from seaway.engine.freezes import create_freeze, find_freeze, freeze_view, update_freeze
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Scopes, require_visible
from seaway.web.api import crud
from seaway.web.api.bodies import Body, DocumentBody
from seaway.web.api.policies import PolicyScopeBody
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of


class FreezeBody(DocumentBody):
    name: str
    description: str = ""
    scope: PolicyScopeBody = Field(default_factory=PolicyScopeBody)
    start: str = Field(description="ISO 8601 with an offset: 2026-12-20T00:00:00Z")
    end: str = Field(description="ISO 8601 with an offset; the freeze holds up to, not including, its end")


class OverrideBody(Body):
    reason: str = Field("", max_length=4000, description="Required: why this deployment may go through.")


def freeze_json(freeze: Freeze) -> dict[str, Any]:
    return {"id": format_id("freeze", freeze.id), **freeze_view(freeze)}


async def _delete(uow: UnitOfWork, freeze_id: int) -> None:
    await uow.freezes.delete(freeze_id)


router = crud.router_of(
    crud.Resource(
        kind="freeze",
        view=Permission.POLICY_VIEW,
        edit=Permission.POLICY_EDIT,
        body=FreezeBody,
        represent=freeze_json,
        repository=lambda uow: uow.freezes,
        find=find_freeze,
        engine=crud.Engine(create_freeze, update_freeze, _delete, ref=crud.number, reader=parse_freeze),
    )
)


@router.post("/deployments/{deployment_id}/freeze-override")
async def override_deployment_freeze(
    request: Request, deployment_id: str, body: OverrideBody, user: CurrentUser
) -> dict[str, Any]:
    """Let this deployment start through the freeze that holds it (needs `freeze.override` and a reason)."""
    number = parse_id("deployment", deployment_id)
    services = services_of(request)
    async with services.store.transaction() as uow:
        where = await Scopes(uow.conn).of_deployment(number)
        require_visible(user, Permission.DEPLOYMENT_VIEW, where, "deployment", number)
        now = services.clock.now()
        actor = api_actor(request, user)
        done = await override_freeze(
            uow, number, actor, reason=body.reason, now=now, public_url=services.links.public_url
        )
    return {
        "deployment_id": format_id("deployment", done.deployment_id),
        "freezes": list(done.freezes),
        "reason": done.reason,
        "overridden_by": user.username,
        "created_at": done.created_at.isoformat(),
    }
