"""Teams under /api/v1: the shared CRUD endpoints; a team reads as it does in the config document."""

from __future__ import annotations

from seaway.config.access_documents import parse_team
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import Team
from seaway.engine.teams import create_team, delete_team, update_team
from seaway.web.api import crud
from seaway.web.api.bodies import TeamBody
from seaway.web.api.representations import team_json

router = crud.resource_router("teams")


async def _create(edit: crud.Edit, body: TeamBody) -> Team:
    return await create_team(edit.uow, parse_team(body.node()))


async def _update(edit: crud.Edit, ref: str, body: TeamBody) -> Team:
    return await update_team(edit.uow, parse_id("team", ref), parse_team(body.node()))


async def _delete(edit: crud.Edit, ref: str) -> None:
    await delete_team(edit.uow, parse_id("team", ref))


crud.install(
    router,
    crud.Resource(
        plural="teams",
        kind="team",
        id_param="team_id",
        view=Permission.TEAM_VIEW,
        edit=Permission.TEAM_EDIT,
        body=TeamBody,
        represent=team_json,
        list_all=lambda uow: uow.teams.list(),
        find=crud.by_id("team", lambda uow: uow.teams),
        create=_create,
        update=_update,
        delete=_delete,
    ),
)
