"""Octopus's release create (`POST /api/{spaceId}/releases/create/v1`, what create-release-action sends) and
a release by id: the same release creation as `/api/v1`, its body read as Octopus's clients write it.

Read from the body (any case): `ProjectName` (a name or `Projects-N`), `ChannelName`, `ReleaseVersion`
(absent: the next version, as `/api/v1` allocates it), `PackageVersion`, `Packages`, `ReleaseNotes` and
`IgnoreIfAlreadyExists`. Left unread: `spaceId`, `spaceIdOrName` and `spaceName` (the space is the URL's),
`GitRef`, `GitCommit`, `GitResources` (no project is stored in Git), `IgnoreChannelRules` (a channel's rules
always hold), `PackagePrerelease` and `CustomFields`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from seaway.domain.ids import format_id
from seaway.domain.package_selection import package_steps
from seaway.domain.package_specs import pinned_versions
from seaway.domain.releases import validate_version
from seaway.errors import Conflict, InvalidInput
from seaway.web.api.release_making import make_release
from seaway.web.api.releases import visible_release
from seaway.web.auth import AuthenticatedRead, CurrentUser
from seaway.web.octopus.bodies import OctopusBody, octopus_body
from seaway.web.octopus.representations import release_resource
from seaway.web.octopus.space import InSpace

router = APIRouter(include_in_schema=False)
Body = Annotated[OctopusBody, Depends(octopus_body)]


@router.post("/api/{space_id}/releases/create/v1", status_code=201)
async def create_release_v1(request: Request, user: CurrentUser, space_id: InSpace, body: Body) -> dict[str, Any]:
    project = body.string("ProjectName", required=True)
    assert project is not None
    version = body.string("ReleaseVersion")
    if version is not None:
        validate_version(version, field="ReleaseVersion")
    specs = body.strings("Packages")
    default = body.string("PackageVersion")
    try:
        release, _ = await make_release(
            request,
            user,
            project,
            version=version,
            notes=body.string("ReleaseNotes") or "",
            channel=body.string("ChannelName"),
            packages=lambda found: pinned_versions(package_steps(found.process), specs, default),
            existing_ok=body.flag("IgnoreIfAlreadyExists"),
        )
    except Conflict as exc:
        if exc.entity != "release":
            raise
        # Octopus answers an existing version with a 400, which its clients show as it is.
        raise InvalidInput(
            f"{exc.message}; send IgnoreIfAlreadyExists: true to get the existing release instead",
            field="ReleaseVersion",
        ) from exc
    return {"ReleaseId": format_id("release", release.id), "ReleaseVersion": release.version}


@router.get("/api/{space_id}/releases/{release_id}")
async def get_release(read: AuthenticatedRead, space_id: InSpace, release_id: str) -> dict[str, Any]:
    release, project = await visible_release(read.uow, read.user, release_id)
    return release_resource(release, project)
