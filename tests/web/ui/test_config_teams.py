"""The teams page's forms: create and delete a team, give a team a scoped role and take it away, each
through the engine call the API uses, audited with the channel `ui`, a refused field named next to it."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.approvals import set_up
from tests.fixtures.live_server import add_person, form_fields, origin_of, page_client, session_csrf, sign_in

TEAMS = "/configuration/teams"


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def post(client, action: str, fields: dict[str, str | list[str]]):
    """Post the page's form that posts to `action`, with `fields` instead of what it chose."""
    page = await client.get(TEAMS)
    return await client.post(action, data=form_fields(page.text, action) | fields, headers=origin_of(client))


async def team_named(services, name: str):
    async with services.store.reading() as uow:
        return await uow.teams.find_by_name(name)


async def stakeholders_id(client) -> str:
    page = await client.get(TEAMS)
    found = re.search(r'id="team-(Teams-\d+)">Project Stakeholders<', page.text)
    assert found is not None
    return found.group(1)


async def test_a_team_is_given_a_scoped_role_then_it_is_taken_away_audited_from_the_ui(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")
    team_id = await stakeholders_id(client)
    roles = f"{TEAMS}/{team_id}/roles"

    page = await client.get(TEAMS)
    given = await post(client, roles, {"role": "project-deployer", "environments": ["Test"], "projects": ["Quotes"]})
    again = await post(client, roles, {"role": "project-deployer", "environments": ["test"], "projects": ["quotes"]})
    listed = await client.get(TEAMS)
    held = (await team_named(services, "Project Stakeholders")).roles
    removed = await post(
        client, f"{roles}/remove", {"role": "project-deployer", "environments": ["Test"], "projects": ["Quotes"]}
    )
    async with services.store.reading() as uow:
        events = await uow.audit.search(action="team.updated", limit=10)

    for option in ('<option value="Test">Test</option>', '<option value="Quotes">Quotes</option>'):
        assert option in page.text
    assert '<option value="project-viewer">project-viewer</option>' in page.text
    assert given.status_code == removed.status_code == 303
    assert [(r.role, r.environments, r.projects) for r in held] == [("project-deployer", ("Test",), ("Quotes",))]
    assert "project-deployer (projects Quotes; environments Test)" in listed.text
    assert again.status_code == 422 and f'id="{team_id}-role-error"' in again.text
    assert (await team_named(services, "Project Stakeholders")).roles == ()
    assert len(events) == 2 and {e.channel for e in events} == {"ui"}


async def test_a_scope_posted_by_hand_that_does_not_exist_is_named_next_to_its_field(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")
    team_id = await stakeholders_id(client)

    refused = await post(client, f"{TEAMS}/{team_id}/roles", {"role": "project-deployer", "environments": ["Nowhere"]})
    unknown_role = await post(client, f"{TEAMS}/{team_id}/roles", {"role": "overlord"})

    error = re.search(
        rf'<p class="field-error" id="{team_id}-environments-error" role="alert">([^<]*)</p>', refused.text
    )
    assert refused.status_code == 422 and error is not None and "Nowhere" in error.group(1)
    assert f'aria-describedby="{team_id}-environments-error"' in refused.text and "Not done:" not in refused.text
    assert unknown_role.status_code == 422 and f'id="{team_id}-role-error"' in unknown_role.text
    assert (await team_named(services, "Project Stakeholders")).roles == ()


async def test_a_team_is_created_and_deleted_and_a_nameless_one_is_refused_at_its_field(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    created = await post(client, TEAMS, {"name": "Night Shift"})
    clash = await post(client, TEAMS, {"name": "Night Shift"})
    nameless = await post(client, TEAMS, {"name": "  "})
    team = await team_named(services, "Night Shift")
    deleted = await post(client, f"{TEAMS}/Teams-{team.id}/delete", {})
    async with services.store.reading() as uow:
        actions = [e.action for e in await uow.audit.search(limit=50) if e.entity_id == f"Teams-{team.id}"]

    assert created.status_code == deleted.status_code == 303
    assert clash.status_code == 409 and "Not done:" in clash.text
    assert nameless.status_code == 422 and 'id="new-name-error"' in nameless.text
    assert await team_named(services, "Night Shift") is None
    assert sorted(actions) == ["team.created", "team.deleted"]


async def test_without_team_edit_there_are_no_role_forms_and_a_forged_one_is_a_403(services, client):
    await set_up(services)
    await add_person(services, "viewer", roles=("project-viewer",))
    await sign_in(client, "viewer")
    csrf = await session_csrf(client)

    forged = [
        await client.post(path, data={"csrf_token": csrf, **fields}, headers=origin_of(client))
        for path, fields in (
            (f"{TEAMS}/Teams-1/roles", {"role": "administrator"}),
            (f"{TEAMS}/Teams-1/delete", {}),
            (TEAMS, {"name": "Mine"}),
        )
    ]

    assert [f.status_code for f in forged] == [403, 403, 403]
    assert await team_named(services, "Mine") is None
    assert (await team_named(services, "Project Stakeholders")).roles == ()
