"""What a `crud.Resource` takes from its kind, and the tables it refuses as it is declared."""

from __future__ import annotations

from typing import Any

import pytest

from seaway.config.access_documents import parse_team
from seaway.domain.permissions import Permission
from seaway.domain.users import Team
from seaway.engine.teams import create_team, delete_team, update_team
from seaway.web.api import crud
from seaway.web.api.bodies import Body, TeamBody
from seaway.web.api.representations import team_json

TEAMS = crud.Engine(create_team, update_team, delete_team, ref=crud.number, reader=parse_team)


def teams(**given: Any) -> crud.Resource[Team, Any]:
    """The teams' table as `web/api/teams.py` declares it, with what `given` changes."""
    table: dict[str, Any] = {
        "kind": "team",
        "body": TeamBody,
        "represent": team_json,
        "repository": lambda uow: uow.teams,
        "engine": TEAMS,
    }
    return crud.Resource(**{**table, **given})


def test_a_plain_resource_takes_its_path_parameter_and_permissions_from_its_kind():
    resource = teams()

    assert (resource.plural, resource.id_param) == ("teams", "team_id")
    assert (resource.view, resource.edit) == (Permission.TEAM_VIEW, Permission.TEAM_EDIT)


def test_what_differs_from_the_kind_is_given():
    resource = teams(plural="squads", id_param="team_ref", view=Permission.POLICY_VIEW, edit=Permission.POLICY_EDIT)

    assert (resource.plural, resource.id_param) == ("squads", "team_ref")
    assert (resource.view, resource.edit) == (Permission.POLICY_VIEW, Permission.POLICY_EDIT)


async def _delete(edit: crud.Edit, ref: str) -> None: ...


def test_a_write_both_written_and_the_engines_is_refused():
    with pytest.raises(TypeError, match="team: delete is written for the resource and is its engine's too"):
        teams(delete=_delete)


def test_a_missing_write_is_refused():
    with pytest.raises(TypeError, match="a resource needs team: delete"):
        teams(engine=crud.Engine(create_team, update_team, ref=crud.number, reader=parse_team))


def test_a_resource_without_a_repository_needs_its_list_and_look_up():
    with pytest.raises(TypeError, match="a resource needs team: list_all or repository"):
        teams(repository=None)


def test_an_engine_that_reads_the_body_needs_a_document_body():
    with pytest.raises(TypeError, match="team: an engine reads its body as the config document's reader does"):
        teams(body=Body)


def test_an_engine_that_creates_needs_a_reader():
    with pytest.raises(TypeError, match="an engine that creates or updates needs the reader of its body"):
        crud.Engine(create_team, ref=crud.number)
