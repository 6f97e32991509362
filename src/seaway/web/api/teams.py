"""Teams under /api/v1: the shared CRUD endpoints; a team reads as it does in the config document."""

from __future__ import annotations

from seaway.config.access_documents import parse_team
from seaway.engine.teams import create_team, delete_team, update_team
from seaway.web.api import crud
from seaway.web.api.bodies import TeamBody
from seaway.web.api.representations import team_json

router = crud.router_of(
    crud.Resource(
        kind="team",
        body=TeamBody,
        represent=team_json,
        repository=lambda uow: uow.teams,
        engine=crud.Engine(create_team, update_team, delete_team, ref=crud.number, reader=parse_team),
    )
)
