"""`POST /api/v1/releases/{id}/snapshot-variables`: take the project's current variables into the release.

Needs `release.create` in the project (who may make a release may re-take its variables). Refused with 409
while a deployment of the release is executing or waiting; audited as `release.variables_updated`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from seaway.domain.change_requests import format_number
from seaway.domain.permissions import Permission
from seaway.engine.release_snapshots import snapshot_variables
from seaway.web.access import Where, require
from seaway.web.api.releases import visible_release
from seaway.web.api.representations import release_json
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = APIRouter(tags=["releases"])


@router.post("/releases/{release_id}/snapshot-variables")
async def post_snapshot_variables(request: Request, release_id: str, user: CurrentUser) -> dict[str, Any]:
    services = services_of(request)
    async with services.store.transaction() as uow:
        release, project = await visible_release(uow, user, release_id)
        require(user, Permission.RELEASE_CREATE, Where(project=project.name))
        assert release.id is not None
        snapshot = await snapshot_variables(uow, release.id, now=services.clock.now(), actor=api_actor(request, user))
    return {
        **release_json(snapshot.release, project),
        "changes": list(snapshot.changes),
        "change_requests_voided": [format_number(r.id) for r in snapshot.voided],
    }
