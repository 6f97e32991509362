from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from seaway.config.documents import load_text, parse_document
from seaway.domain.permissions import Permission
from seaway.engine.configuration import apply_document
from seaway.engine.exports import space_export
from seaway.errors import InvalidInput
from seaway.web.access import require
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = APIRouter(tags=["config"])


@router.post(
    "/config/apply",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
            "required": True,
        }
    },
)
async def apply_config(request: Request, user: CurrentUser) -> dict[str, Any]:
    """Apply a config-as-code document (YAML or its JSON form). Idempotent; a bad document changes nothing."""
    require(user, Permission.CONFIG_APPLY)
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the document is not UTF-8 text", field="document") from None
    if "json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(text or "null")
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"the document is not valid JSON: {exc.msg}", field="document") from None
    else:
        data = load_text(text)
    document = parse_document(data)
    services = services_of(request)
    async with services.store.transaction() as uow:
        result = await apply_document(uow, document, actor=api_actor(request, user), now=services.clock.now())
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "warnings": result.warnings,
    }


@router.get("/export")
async def export_config(request: Request, user: CurrentUser, project: str | None = None) -> dict[str, Any]:
    """The space (or the project named `project`) as the config-as-code document `POST /config/apply` accepts,
    in its JSON form, holding what the caller may view; secrets are written as `{stored: true}` references."""
    async with services_of(request).store.reading() as uow:
        return await space_export(uow, user, project=project)
