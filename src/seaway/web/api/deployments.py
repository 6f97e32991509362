from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.web.access import Scopes, require_visible
from seaway.web.api.change_requests import change_request_summary
from seaway.web.api.representations import deployment_json
from seaway.web.auth import CurrentUser
from seaway.web.deps import services_of

router = APIRouter(tags=["deployments"])


@router.get("/deployments/{deployment_id}")
async def get_deployment(request: Request, deployment_id: str, user: CurrentUser) -> dict[str, Any]:
    number = parse_id("deployment", deployment_id)
    async with services_of(request).store.reading() as uow:
        where = await Scopes(uow.conn).of_deployment(number)
        require_visible(user, Permission.DEPLOYMENT_VIEW, where, "deployment", number)
        deployment = await uow.deployments.get(number)
        release = await uow.releases.get(deployment.release_id)
        summary = await change_request_summary(uow, number)
        held = (await uow.freezes.hold_of(deployment.task_id)).message or None if deployment.task_id else None
        return {**deployment_json(deployment, release), "change_request": summary, "held": held}
