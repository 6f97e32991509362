"""Seaway is one space to Octopus's clients: `Spaces-1`, named by `SEAWAY_SPACE_NAME` (default `Default`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from seaway.errors import NotFound
from seaway.web.deps import services_of

SPACE_ID = "Spaces-1"


def space_name(request: Request) -> str:
    return services_of(request).settings.space_name


def space_json(request: Request) -> dict[str, Any]:
    return {
        "Id": SPACE_ID,
        "Name": space_name(request),
        "Slug": space_name(request).lower().replace(" ", "-"),
        "Description": "",
        "IsDefault": True,
        "TaskQueueStopped": False,
        "SpaceManagersTeams": [],
        "SpaceManagersTeamMembers": [],
        "Links": {"Self": f"/api/spaces/{SPACE_ID}"},
    }


def the_space(request: Request, space_id: str) -> str:
    """The `{space_id}` of a route: `Spaces-1`, or the space's name (any case); anything else is a 404."""
    if space_id.lower() in (SPACE_ID.lower(), space_name(request).lower()):
        return SPACE_ID
    raise NotFound(f"there is no space {space_id} (this server has one, {SPACE_ID})", entity="space", id=space_id)


InSpace = Annotated[str, Depends(the_space)]
