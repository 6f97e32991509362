"""The configuration pages: users, teams, one's API keys and the audit log, each shown only to those who may,
each form through the engine calls the API uses, with the session's CSRF token."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.fixtures.approvals import set_up
from tests.fixtures.live_server import PASSWORD, add_person, form_fields, origin_of, page_client, session_csrf, sign_in

USERS = "/configuration/users"
KEYS = "/configuration/api-keys"


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def post_form(client, page_path: str, action: str, fields: dict[str, str]):
    """Fill in and post the form of `page_path` that posts to `action`, as a browser would."""
    page = await client.get(page_path)
    return await client.post(action, data=form_fields(page.text, action) | fields, headers=origin_of(client))


async def test_an_administrator_creates_a_user_who_signs_in_then_disables_them(services, client):
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    created = await post_form(
        client, USERS, USERS, {"username": "newbie", "display_name": "New Bie", "email": "", "password": PASSWORD}
    )
    listing = await client.get(USERS)
    async with page_client(services) as newbie:
        signed_in = await sign_in(newbie, "newbie")
    newbie_id = re.search(r"/configuration/users/(Users-\d+)/active", listing.text).group(1)
    disabled = await post_form(client, USERS, f"{USERS}/{newbie_id}/active", {})
    again = await client.get(USERS)

    assert created.status_code == 303 and created.headers["location"] == f"http://seaway.test{USERS}"
    assert "<strong>New Bie</strong>" in listing.text
    assert signed_in.status_code == 303
    assert disabled.status_code == 303
    assert "Enable newbie" in again.text
    async with services.store.reading() as uow:
        assert not (await uow.users.get_by_username("newbie")).active
        actions = [e.action for e in await uow.audit.list() if e.channel == "ui"]
    assert {"user.created", "user.password_reset", "user.disabled", "user.updated"} <= set(actions)


async def test_a_bad_user_is_refused_naming_the_field_and_creates_nothing(services, client):
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    bad = await post_form(client, USERS, USERS, {"username": "no spaces", "display_name": "", "email": "x"})
    short = await post_form(client, USERS, USERS, {"username": "shorty", "password": "short"})

    assert bad.status_code == 422 and "Not done: " in bad.text and "is not a valid username" in bad.text
    assert short.status_code == 422 and "password" in short.text
    async with services.store.reading() as uow:
        assert [u.username for u in await uow.users.list()] == ["root"]


async def test_without_user_edit_there_is_no_form_and_a_forged_one_is_a_403(services, client):
    await add_person(services, "viewer", roles=("project-viewer",))
    await sign_in(client, "viewer")
    csrf = await session_csrf(client)

    page = await client.get(USERS)
    forged = await client.post(USERS, data={"csrf_token": csrf, "username": "evil"}, headers=origin_of(client))
    forged_member = await client.post(
        "/configuration/teams/Teams-1/members",
        data={"csrf_token": csrf, "username": "viewer"},
        headers=origin_of(client),
    )
    teams = await client.get("/configuration/teams")
    audit = await client.get("/configuration/audit")
    index = await client.get("/configuration")

    assert page.status_code == forged.status_code == teams.status_code == audit.status_code == 403
    assert forged_member.status_code == 403
    assert 'href="/configuration/api-keys"' in index.text and 'href="/configuration/users"' not in index.text
    async with services.store.reading() as uow:
        assert await uow.users.find_by_username("evil") is None


async def test_a_form_without_the_session_token_is_refused(services, client):
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    response = await client.post(USERS, data={"csrf_token": "stale", "username": "x"}, headers=origin_of(client))

    assert response.status_code == 403 and "This form is out of date" in response.text


async def test_an_api_key_is_shown_once_works_and_is_revoked(services, client):
    await add_person(services, "dev")
    await sign_in(client, "dev")

    created = await post_form(client, KEYS, KEYS, {"purpose": "laptop", "expires_in_days": "30"})
    key = re.search(r'<code id="new-key">([^<]+)</code>', created.text).group(1)
    listing = await client.get(KEYS)
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as api:
        works = await api.get("/api/v1/users/me", headers={"X-Seaway-ApiKey": key})
        key_id = re.search(r"/configuration/api-keys/(ApiKeys-\d+)/revoke", listing.text).group(1)
        revoked = await post_form(client, KEYS, f"{KEYS}/{key_id}/revoke", {})
        refused = await api.get("/api/v1/users/me", headers={"X-Seaway-ApiKey": key})
    bad_days = await post_form(client, KEYS, KEYS, {"purpose": "x", "expires_in_days": "soon"})

    assert created.status_code == 201 and "it is shown this once" in created.text
    assert key not in listing.text and "<strong>laptop</strong>" in listing.text
    assert works.status_code == 200 and works.json()["username"] == "dev"
    assert revoked.status_code == 303 and refused.status_code == 401
    assert bad_days.status_code == 422 and "expires_in_days" in bad_days.text


async def test_teams_show_members_and_scoped_roles_and_members_are_added_and_removed(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")
    teams = "/configuration/teams"

    page = await client.get(teams)
    team_id = re.search(r'action="/configuration/teams/(Teams-\d+)/members"', page.text).group(1)
    added = await post_form(client, teams, f"{teams}/{team_id}/members", {"username": "carol"})
    unknown = await post_form(client, teams, f"{teams}/{team_id}/members", {"username": "nobody"})
    removed = await post_form(client, teams, f"{teams}/{team_id}/members/remove", {"username": "alice"})

    assert "project-deployer (every project; every environment)" in page.text
    assert added.status_code == removed.status_code == 303 and unknown.status_code == 404
    async with services.store.reading() as uow:
        team = await uow.teams.get(int(team_id.split("-")[1]))
    assert "carol" in team.members and "alice" not in team.members


async def test_the_audit_log_filters_by_actor_and_action(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")
    await post_form(client, KEYS, KEYS, {"purpose": "ci"})

    everything = await client.get("/configuration/audit")
    keys = await client.get("/configuration/audit", params={"actor": "ROOT", "action": "api_key.created"})
    none = await client.get("/configuration/audit", params={"actor": "nobody"})
    bad_date = await client.get("/configuration/audit", params={"from": "yesterday"})

    assert everything.status_code == 200 and "<td>Environments-1</td>" in everything.text
    assert "<td>api_key.created</td>" in keys.text and "<td>Environments-1</td>" not in keys.text
    assert "No events match." in none.text
    assert bad_date.status_code == 422 and "is not a time" in bad_date.text
