from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request

from seaway.config.documents import parse_lifecycle
from seaway.config.reader import Node
from seaway.domain.ids import parse_id
from seaway.domain.lifecycles import validate_lifecycle
from seaway.domain.permissions import Permission
from seaway.web.api.common import json_body, refuse_name_clash
from seaway.web.api.representations import lifecycle_json
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["lifecycles"])

LIFECYCLE_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["name", "phases"],
                    "properties": {
                        "name": {"type": "string"},
                        "phases": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        },
    }
}


@router.get("/lifecycles")
async def list_lifecycles(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.LIFECYCLE_VIEW)
    async with services_of(request).store.reading() as uow:
        return [lifecycle_json(x) for x in await uow.lifecycles.list()]


@router.post("/lifecycles", status_code=201, openapi_extra=LIFECYCLE_SCHEMA)
async def create_lifecycle(request: Request, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.LIFECYCLE_EDIT)
    lifecycle = parse_lifecycle(Node(await json_body(request), ""))
    async with services_of(request).store.transaction() as uow:
        validate_lifecycle(lifecycle, [e.name for e in await uow.environments.list()], path="")
        refuse_name_clash(
            await uow.lifecycles.find_by_name(lifecycle.name), None, f'a lifecycle named "{lifecycle.name}"'
        )
        return lifecycle_json(await uow.lifecycles.add(lifecycle))


@router.get("/lifecycles/{lifecycle_id}")
async def get_lifecycle(request: Request, lifecycle_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.LIFECYCLE_VIEW)
    async with services_of(request).store.reading() as uow:
        return lifecycle_json(await uow.lifecycles.get(parse_id("lifecycle", lifecycle_id)))


@router.put("/lifecycles/{lifecycle_id}", openapi_extra=LIFECYCLE_SCHEMA)
async def update_lifecycle(request: Request, lifecycle_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.LIFECYCLE_EDIT)
    lifecycle = parse_lifecycle(Node(await json_body(request), ""))
    async with services_of(request).store.transaction() as uow:
        existing = await uow.lifecycles.get(parse_id("lifecycle", lifecycle_id))
        validate_lifecycle(lifecycle, [e.name for e in await uow.environments.list()], path="")
        refuse_name_clash(
            await uow.lifecycles.find_by_name(lifecycle.name),
            existing.id,
            f'a lifecycle named "{lifecycle.name}"',
            field="name",
        )
        return lifecycle_json(await uow.lifecycles.save(replace(lifecycle, id=existing.id)))


@router.delete("/lifecycles/{lifecycle_id}", status_code=204)
async def delete_lifecycle(request: Request, lifecycle_id: str, user: CurrentUser) -> None:
    allow(user, Permission.LIFECYCLE_EDIT)
    async with services_of(request).store.transaction() as uow:
        await uow.lifecycles.delete(parse_id("lifecycle", lifecycle_id))
