from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request

from seaway.config.documents import parse_team
from seaway.config.reader import Node
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import Team
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.common import json_body, refuse_name_clash
from seaway.web.api.representations import team_json
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["teams"])

TEAM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "members": {"type": "array", "items": {"type": "string"}},
                        "roles": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        },
    }
}


async def _check_members(uow: UnitOfWork, team: Team) -> None:
    for index, member in enumerate(team.members):
        if await uow.users.find_by_username(member) is None:
            raise InvalidInput(f'unknown user "{member}"', field=f"members[{index}]")


@router.get("/teams")
async def list_teams(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.TEAM_VIEW)
    async with services_of(request).store.reading() as uow:
        return [team_json(t) for t in await uow.teams.list()]


@router.post("/teams", status_code=201, openapi_extra=TEAM_BODY)
async def create_team(request: Request, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.TEAM_EDIT)
    team = parse_team(Node(await json_body(request), ""))
    async with services_of(request).store.transaction() as uow:
        refuse_name_clash(await uow.teams.find_by_name(team.name), None, f'a team named "{team.name}"')
        await _check_members(uow, team)
        return team_json(await uow.teams.add(team))


@router.get("/teams/{team_id}")
async def get_team(request: Request, team_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.TEAM_VIEW)
    async with services_of(request).store.reading() as uow:
        return team_json(await uow.teams.get(parse_id("team", team_id)))


@router.put("/teams/{team_id}", openapi_extra=TEAM_BODY)
async def update_team(request: Request, team_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.TEAM_EDIT)
    team = parse_team(Node(await json_body(request), ""))
    async with services_of(request).store.transaction() as uow:
        existing = await uow.teams.get(parse_id("team", team_id))
        refuse_name_clash(
            await uow.teams.find_by_name(team.name), existing.id, f'a team named "{team.name}"', field="name"
        )
        await _check_members(uow, team)
        return team_json(await uow.teams.save(replace(team, id=existing.id)))


@router.delete("/teams/{team_id}", status_code=204)
async def delete_team(request: Request, team_id: str, user: CurrentUser) -> None:
    allow(user, Permission.TEAM_EDIT)
    async with services_of(request).store.transaction() as uow:
        await uow.teams.delete(parse_id("team", team_id))
