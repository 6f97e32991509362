from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request

from seaway.config.documents import parse_user
from seaway.config.reader import Node
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.errors import Conflict
from seaway.web.api.common import json_body, refuse_name_clash
from seaway.web.api.representations import user_json
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["users"])

USER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["username"],
                    "properties": {
                        "username": {"type": "string"},
                        "display_name": {"type": "string"},
                        "email": {"type": "string"},
                        "admin": {"type": "boolean"},
                        "active": {"type": "boolean"},
                    },
                }
            }
        },
    }
}


@router.get("/users")
async def list_users(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.USER_VIEW)
    async with services_of(request).store.reading() as uow:
        return [user_json(u) for u in await uow.users.list()]


@router.get("/users/me")
async def me(user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.USER_VIEW)
    return user_json(user)


@router.post("/users", status_code=201, openapi_extra=USER_BODY)
async def create_user(request: Request, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.ADMINISTER)
    new = parse_user(Node(await json_body(request), ""))
    services = services_of(request)
    async with services.store.transaction() as uow:
        refuse_name_clash(
            await uow.users.find_by_username(new.username), None, f'user "{new.username}"', field="username"
        )
        return user_json(await uow.users.add(new, services.clock.now()))


@router.get("/users/{user_id}")
async def get_user(request: Request, user_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.USER_VIEW)
    async with services_of(request).store.reading() as uow:
        return user_json(await uow.users.get(parse_id("user", user_id)))


@router.put("/users/{user_id}", openapi_extra=USER_BODY)
async def update_user(request: Request, user_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.ADMINISTER)
    new = parse_user(Node(await json_body(request), ""))
    async with services_of(request).store.transaction() as uow:
        existing = await uow.users.get(parse_id("user", user_id))
        refuse_name_clash(
            await uow.users.find_by_username(new.username), existing.id, f'user "{new.username}"', field="username"
        )
        return user_json(await uow.users.save(replace(new, id=existing.id)))


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(request: Request, user_id: str, user: CurrentUser) -> None:
    allow(user, Permission.ADMINISTER)
    async with services_of(request).store.transaction() as uow:
        target = parse_id("user", user_id)
        if target == user.id:
            raise Conflict("you cannot delete yourself", field="id")
        await uow.users.delete(target)
