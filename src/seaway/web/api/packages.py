"""The built-in feed under /api/v1, and the external feeds it knows.

POST   /packages                          multipart, the first file part; ?overwrite_mode=fail|overwrite|ignore
GET    /packages[?package_id=]            newest first per package
GET    /packages/{package_id}/{version}   size, hash, pushed by and when, the releases that deploy it
GET    /packages/{package_id}/{version}/download
DELETE /packages/{package_id}/{version}   409 while a release deploys it
GET    /feeds                             external feeds (never their passwords)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from seaway.domain.ids import format_id
from seaway.domain.packages import BUILTIN_FEED_ID, OverwriteMode, PackageVersion
from seaway.domain.permissions import Permission, authorize
from seaway.engine.packages import PushResult, delete_package, push_package
from seaway.errors import InvalidInput, PackageUnavailable
from seaway.store.packages import ReleaseUse
from seaway.web.api.representations import when
from seaway.web.auth import AuthenticatedRead, CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of
from seaway.web.uploads import receive_package

router = APIRouter(tags=["packages"])
OverwriteQuery = Annotated[OverwriteMode, Query(description="what to do when the version is already there")]
HashQuery = Annotated[str | None, Query(max_length=64, description="the file's SHA-256 as the client made it")]


def package_json(package: PackageVersion, uses: list[ReleaseUse] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "package_id": package.package_id,
        "version": package.version,
        "feed": BUILTIN_FEED_ID,
        "format": str(package.format),
        "file_name": package.file_name,
        "size": package.size,
        "sha256": package.sha256,
        "title": package.title,
        "pushed_at": when(package.pushed_at),
        "pushed_by": format_id("user", package.pushed_by) if package.pushed_by else None,
    }
    if uses is not None:
        body["releases"] = [
            {"id": format_id("release", u.release_id), "project": u.project, "version": u.version, "step": u.step}
            for u in uses
        ]
    return body


def push_json(result: PushResult) -> dict[str, Any]:
    return {
        **package_json(result.package),
        "outcome": result.outcome,
        "releases_created": [format_id("release", r.id) for r in result.releases],
        "release_problems": list(result.release_problems),
    }


async def receive_and_push(
    request: Request, user: CurrentUser, mode: OverwriteMode, expected_sha256: str | None = None
) -> PushResult:
    """Shared by this API and Octopus's raw push route: the same checks, the same record. With
    `expected_sha256` (the client's own hash of the file), bytes that arrived different are refused."""
    services = services_of(request)
    authorize(user, Permission.PACKAGE_PUSH)  # before a byte of a possibly huge body is read
    received = await receive_package(
        request.headers.get("content-type"),
        request.stream(),
        services.package_files,
        limit=services.settings.package_max_bytes,
    )
    expected = (expected_sha256 or received.fields.get("sha256") or "").strip().lower()
    if expected and expected != received.sha256:
        received.upload.discard()
        raise InvalidInput(
            f"{received.file_name} arrived with SHA-256 {received.sha256}, not the {expected} it was sent with",
            field="sha256",
        )
    return await push_package(
        services.store,
        services.package_files,
        received.upload.path,
        received.sha256,
        received.file_name,
        mode=mode,
        actor=api_actor(request, user),
        now=services.clock.now(),
    )


@router.post(
    "/packages",
    status_code=201,
    name="push_package",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                }
            },
        }
    },
)
async def post_package(
    request: Request,
    user: CurrentUser,
    response: Response,
    overwrite_mode: OverwriteQuery = OverwriteMode.FAIL,
    sha256: HashQuery = None,
) -> dict[str, Any]:
    """Push a package file (zip, tar, tar.gz, tar.bz2 or nupkg) named `<id>.<version>.<ext>`."""
    result = await receive_and_push(request, user, overwrite_mode, sha256)
    if result.outcome != "created":
        response.status_code = 200
    return push_json(result)


@router.get("/packages", name="list_packages")
async def list_packages(
    read: AuthenticatedRead, package_id: str | None = Query(None, max_length=100)
) -> list[dict[str, Any]]:
    authorize(read.user, Permission.PACKAGE_VIEW)
    return [package_json(p) for p in await read.uow.packages.list(package_id=package_id)]


@router.get("/packages/{package_id}/{version}", name="get_package")
async def get_package(read: AuthenticatedRead, package_id: str, version: str) -> dict[str, Any]:
    authorize(read.user, Permission.PACKAGE_VIEW)
    package = await read.uow.packages.get(package_id, version)
    return package_json(package, await read.uow.packages.used_by(package_id, version))


@router.get("/packages/{package_id}/{version}/download", name="download_package", response_class=FileResponse)
async def download_package(request: Request, read: AuthenticatedRead, package_id: str, version: str) -> FileResponse:
    authorize(read.user, Permission.PACKAGE_VIEW)
    package = await read.uow.packages.get(package_id, version)
    path = services_of(request).package_files.path_of(package.sha256)
    if not path.is_file():
        raise PackageUnavailable(f"the file of {package.package_id} {package.version} is missing from the feed")
    return FileResponse(path, filename=package.file_name, media_type="application/octet-stream")


@router.delete("/packages/{package_id}/{version}", status_code=204, name="delete_package")
async def remove_package(request: Request, user: CurrentUser, package_id: str, version: str) -> Response:
    services = services_of(request)
    async with services.store.transaction() as uow:
        await delete_package(uow, package_id, version, actor=api_actor(request, user), now=services.clock.now())
    return Response(status_code=204)


@router.get("/feeds", name="list_feeds")
async def list_feeds(read: AuthenticatedRead) -> list[dict[str, Any]]:
    authorize(read.user, Permission.PACKAGE_VIEW)
    builtin = {"id": BUILTIN_FEED_ID, "name": "Built-in", "type": "builtin", "url": None, "username": None}
    return [builtin] + [
        {"id": format_id("feed", f.id), "name": f.name, "type": str(f.type), "url": f.url, "username": f.username}
        for f in await read.uow.feeds.list()
    ]
