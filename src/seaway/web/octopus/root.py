"""The root document (`GET /api`, anonymous: clients read the server's version before anything else) and
the one space."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from seaway.web.auth import CurrentUser
from seaway.web.deps import services_of
from seaway.web.octopus.collections import Skip, Take, collection
from seaway.web.octopus.space import InSpace, space_json, space_name

router = APIRouter(include_in_schema=False)
PartialName = Annotated[str | None, Query(alias="partialName")]

# The Octopus server version Seaway's routes answer as: clients refuse servers before 2022.3.5512 and
# need a strict X.Y.Z. Seaway's own version is beside it.
OCTOPUS_API_VERSION = "2025.4.0"


@router.get("/api")
@router.get("/api/")
async def root_document(request: Request) -> dict[str, Any]:
    services = services_of(request)
    return {
        "Application": "Seaway",
        "Version": OCTOPUS_API_VERSION,
        "ApiVersion": "3.0.0",
        "SeawayVersion": request.app.version,
        "InstallationId": services.installation_id,
        "IsEarlyAccessProgram": False,
        "HasLongTermSupport": False,
        "Links": {"Self": "/api", "Spaces": "/api/spaces{/id}{?skip,take,ids,partialName}"},
    }


@router.get("/api/spaces")
async def spaces(
    request: Request, user: CurrentUser, skip: Skip = 0, take: Take = 30, partial_name: PartialName = None
) -> dict[str, Any]:
    """The one space, when `partialName` is part of its name (any case) or not given."""
    matches = partial_name is None or partial_name.lower() in space_name(request).lower()
    return collection("Space", [space_json(request)] if matches else [], skip=skip, take=take)


@router.get("/api/spaces/{space_id}")
async def space(request: Request, user: CurrentUser, space_id: InSpace) -> dict[str, Any]:
    return space_json(request)


@router.get("/api/{space_id}")
async def space_root(request: Request, user: CurrentUser, space_id: InSpace) -> dict[str, Any]:
    return {"Id": space_id, "Name": space_name(request), "Links": {"Self": f"/api/{space_id}"}}
