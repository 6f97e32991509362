"""Environments under /api/v1: the shared CRUD endpoints, with the sort order the API may set."""

from __future__ import annotations

from pydantic import Field

from seaway.domain.environments import Environment
from seaway.domain.ids import MAX_ID, parse_id
from seaway.domain.permissions import Dimension
from seaway.engine.change_requests import rebind_pending
from seaway.engine.environments import create_environment, delete_environment, update_environment
from seaway.web.api import crud
from seaway.web.api.bodies import Body
from seaway.web.api.representations import environment_json


class EnvironmentBody(Body):
    name: str = Field(max_length=200)
    description: str = ""
    sort_order: int | None = Field(None, ge=-MAX_ID, le=MAX_ID, description="left out: after the last one")
    tags: list[str] | None = Field(None, description="what approval policies may be scoped on; left out: kept")


async def _create(edit: crud.Edit, body: EnvironmentBody) -> Environment:
    return await create_environment(edit.uow, body.name, body.description, body.sort_order, body.tags)


async def _update(edit: crud.Edit, ref: str, body: EnvironmentBody) -> Environment:
    environment_id = parse_id("environment", ref)
    updated = await update_environment(
        edit.uow, environment_id, body.name, body.description, body.sort_order, body.tags
    )
    await rebind_pending(edit.uow, edit.now)  # its tags may change which policies gate what waits there
    return updated


router = crud.router_of(
    crud.Resource(
        kind="environment",
        body=EnvironmentBody,
        represent=environment_json,
        repository=lambda uow: uow.environments,
        create=_create,
        update=_update,
        engine=crud.Engine(delete=delete_environment, ref=crud.number),
        scoped_by=Dimension.ENVIRONMENT,
    )
)
