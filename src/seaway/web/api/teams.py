"""Teams under /api/v1: the shared CRUD endpoints; a team reads as it does in the config document."""

from __future__ import annotations

from seaway.config.access_documents import parse_team
from seaway.domain.permissions import Permission
from seaway.engine.teams import create_team, delete_team, update_team
from seaway.web.api import crud
from seaway.web.api.bodies import TeamBody
from seaway.web.api.representations import team_json

router = crud.resource_router("teams")


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
        create=crud.creates(create_team, crud.from_document(parse_team)),
        update=crud.updates(update_team, crud.from_document(parse_team), by=crud.number_in("team")),
        delete=crud.deletes(delete_team, by=crud.number_in("team")),
    ),
)
