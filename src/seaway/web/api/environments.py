from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seaway.domain.environments import Environment, validate_name
from seaway.domain.ids import MAX_ID, parse_id
from seaway.domain.permissions import Permission
from seaway.web.api.bodies import Body
from seaway.web.api.common import refuse_name_clash
from seaway.web.api.representations import environment_json
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["environments"])


class EnvironmentBody(Body):
    name: str = Field(max_length=200)
    description: str = ""
    sort_order: int | None = Field(None, ge=-MAX_ID, le=MAX_ID)


@router.get("/environments")
async def list_environments(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.ENVIRONMENT_VIEW)
    async with services_of(request).store.reading() as uow:
        return [environment_json(e) for e in await uow.environments.list()]


@router.post("/environments", status_code=201)
async def create_environment(request: Request, body: EnvironmentBody, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.ENVIRONMENT_EDIT)
    name = validate_name(body.name)
    async with services_of(request).store.transaction() as uow:
        refuse_name_clash(await uow.environments.find_by_name(name), None, f'an environment named "{name}"')
        order = body.sort_order
        if order is None:
            # After the last one; an environment already at the largest order shares it (ties sort by name).
            order = min(max((e.sort_order for e in await uow.environments.list()), default=-1) + 1, MAX_ID)
        env = await uow.environments.add(Environment(name, order, body.description))
    return environment_json(env)


@router.get("/environments/{environment_id}")
async def get_environment(request: Request, environment_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.ENVIRONMENT_VIEW)
    async with services_of(request).store.reading() as uow:
        return environment_json(await uow.environments.get(parse_id("environment", environment_id)))


@router.put("/environments/{environment_id}")
async def update_environment(
    request: Request, environment_id: str, body: EnvironmentBody, user: CurrentUser
) -> dict[str, Any]:
    allow(user, Permission.ENVIRONMENT_EDIT)
    name = validate_name(body.name)
    async with services_of(request).store.transaction() as uow:
        existing = await uow.environments.get(parse_id("environment", environment_id))
        refuse_name_clash(
            await uow.environments.find_by_name(name), existing.id, f'an environment named "{name}"', field="name"
        )
        order = existing.sort_order if body.sort_order is None else body.sort_order
        env = await uow.environments.save(Environment(name, order, body.description, existing.id))
    return environment_json(env)


@router.delete("/environments/{environment_id}", status_code=204)
async def delete_environment(request: Request, environment_id: str, user: CurrentUser) -> None:
    allow(user, Permission.ENVIRONMENT_EDIT)
    async with services_of(request).store.transaction() as uow:
        await uow.environments.delete(parse_id("environment", environment_id))
