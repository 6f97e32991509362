"""Octopus's raw package push: `POST /api/{spaceId}/packages/raw` and `/api/packages/raw`.

`overwriteMode` is FailIfExists (the default), OverwriteExisting or IgnoreIfExists (also spelled
IgnoreIfAlreadyExists); the legacy `replace=true` means OverwriteExisting. The answer is Octopus's
`PackageFromBuiltInFeedResource`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from seaway.domain.packages import BUILTIN_FEED_ID, OverwriteMode
from seaway.engine.packages import PushResult
from seaway.errors import InvalidInput
from seaway.web.api.packages import receive_and_push
from seaway.web.auth import CurrentUser
from seaway.web.octopus.space import InSpace

router = APIRouter(include_in_schema=False)

OVERWRITE_MODES = {
    "failifexists": OverwriteMode.FAIL,
    "overwriteexisting": OverwriteMode.OVERWRITE,
    "ignoreifexists": OverwriteMode.IGNORE,
    "ignoreifalreadyexists": OverwriteMode.IGNORE,
}


def overwrite_mode(mode: str | None, replace: str | None) -> OverwriteMode:
    if mode is None:
        return OverwriteMode.OVERWRITE if (replace or "").lower() == "true" else OverwriteMode.FAIL
    try:
        return OVERWRITE_MODES[mode.lower()]
    except KeyError:
        raise InvalidInput(
            f'overwriteMode must be FailIfExists, OverwriteExisting or IgnoreIfExists, not "{mode}"',
            field="overwriteMode",
        ) from None


def package_resource(result: PushResult) -> dict[str, Any]:
    package = result.package
    return {
        "Id": f"packages-{package.package_id}.{package.version}",
        "PackageId": package.package_id,
        "Version": package.version,
        "FeedId": BUILTIN_FEED_ID,
        "FileExtension": f".{package.format}",
        "PackageSizeBytes": package.size,
        "Hash": package.sha256,
        "Published": package.pushed_at.isoformat(),
        "Title": package.title or package.package_id,
        "Summary": "",
        "Description": package.title,
        "ReleaseNotes": "",
    }


async def _push(request: Request, user: CurrentUser, mode: str | None, replace: str | None) -> dict[str, Any]:
    return package_resource(await receive_and_push(request, user, overwrite_mode(mode, replace)))


@router.post("/api/{space_id}/packages/raw")
async def push_raw_in_space(
    request: Request,
    space_id: InSpace,
    user: CurrentUser,
    mode: str | None = Query(None, alias="overwriteMode"),
    replace: str | None = Query(None),
) -> dict[str, Any]:
    return await _push(request, user, mode, replace)


@router.post("/api/packages/raw")
async def push_raw(
    request: Request,
    user: CurrentUser,
    mode: str | None = Query(None, alias="overwriteMode"),
    replace: str | None = Query(None),
) -> dict[str, Any]:
    return await _push(request, user, mode, replace)
