"""`/api/v1/users`: service accounts, disabling and enabling, one's own password and an administrator's reset.

Disabling ends the user's sessions and stops their keys at once; setting a password ends their sessions;
every one of these is audited, never the password."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from tests.fixtures.live_server import PASSWORD, add_person, page_client, sign_in
from tests.fixtures.web import api_key_for, http_client

from seaway.bootstrap import Services
from seaway.domain.users import User
from seaway.store.tables import sessions, users

NEW_PASSWORD = "a much better passphrase"


async def client_of(services: Services, user: User):
    return http_client(services, await api_key_for(services, user))


async def session_count(services: Services, user: User) -> int:
    async with services.store.reading() as uow:
        rows = await uow.conn.execute(sa.select(sessions.c.id).where(sessions.c.user_id == user.id))
        return len(rows.all())


@contextlib.asynccontextmanager
async def signed_in_browser(services: Services, username: str) -> AsyncIterator[httpx.AsyncClient]:
    async with page_client(services) as browser:
        assert (await sign_in(browser, username)).status_code == 303
        yield browser


async def events(services: Services, action: str):
    async with services.store.reading() as uow:
        return await uow.audit.list(action=action)


async def test_a_service_account_is_created_and_shown_as_one(services, api):
    created = await api.post("/users", json={"username": "ci", "display_name": "Build server", "service_account": True})
    plain = await api.post("/users", json={"username": "carol"})

    assert created.status_code == 201, created.text
    assert created.json()["service_account"] is True
    assert plain.json()["service_account"] is False
    account = await api.get(f"/users/{created.json()['id']}")
    assert account.json()["service_account"] is True
    # A change that leaves `service_account` out keeps it.
    renamed = await api.put(f"/users/{created.json()['id']}", json={"username": "ci", "display_name": "CI"})
    assert renamed.json()["service_account"] is True


async def test_making_a_user_a_service_account_removes_the_password_and_ends_the_sessions(services, api):
    carol = await add_person(services, "carol")
    async with signed_in_browser(services, "carol"):
        assert await session_count(services, carol) == 1
        response = await api.put(f"/users/Users-{carol.id}", json={"username": "carol", "service_account": True})
    assert response.status_code == 200 and response.json()["service_account"] is True
    assert await session_count(services, carol) == 0
    async with services.store.reading() as uow:
        assert await uow.users.password_hash(carol.id or 0) is None


async def test_disabling_a_user_ends_their_sessions_and_keys_and_is_audited(services, api, admin):
    carol = await add_person(services, "carol")
    carol_key = await api_key_for(services, carol)
    async with signed_in_browser(services, "carol") as browser, http_client(services, carol_key) as as_carol:
        assert (await as_carol.get("/api-keys")).status_code == 200
        disabled = await api.put(f"/users/Users-{carol.id}", json={"username": "carol", "active": False})
        key_refused = await as_carol.get("/api-keys")
        page = await browser.get("/")
        assert await session_count(services, carol) == 0
        enabled = await api.put(f"/users/Users-{carol.id}", json={"username": "carol", "active": True})
        works_again = await as_carol.get("/api-keys")
        session_gone = await browser.get("/")

    assert disabled.status_code == enabled.status_code == 200
    assert disabled.json()["active"] is False
    assert key_refused.status_code == 401
    assert page.status_code == 303 and "/signin" in page.headers["location"]
    assert works_again.status_code == 200  # keys come back with the user; sessions do not
    assert session_gone.status_code == 303
    [off] = await events(services, "user.disabled")
    [on] = await events(services, "user.enabled")
    assert (off.entity_id, off.actor, off.details["sessions_ended"]) == (f"Users-{carol.id}", "admin", 1)
    assert (on.entity_id, on.actor) == (f"Users-{carol.id}", "admin")


async def test_nobody_disables_themselves(services, api, admin):
    response = await api.put(f"/users/Users-{admin.id}", json={"username": "admin", "admin": True, "active": False})
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "active"


async def test_changing_ones_own_password_ends_ones_sessions_and_is_audited(services):
    carol = await add_person(services, "carol")
    async with await client_of(services, carol) as api, signed_in_browser(services, "carol"):
        changed = await api.post(
            "/users/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
        assert await session_count(services, carol) == 0
        assert (await api.get("/api-keys")).status_code == 200  # the key goes on working
    assert changed.status_code == 204
    async with page_client(services) as browser:
        assert (await sign_in(browser, "carol", PASSWORD)).status_code == 401
        assert (await sign_in(browser, "carol", NEW_PASSWORD)).status_code == 303
    [event] = await events(services, "user.password_changed")
    assert (event.entity_id, event.actor, event.auth) == (f"Users-{carol.id}", "carol", "api-key")
    assert PASSWORD not in str(event) and NEW_PASSWORD not in str(event)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "wrong password", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": ""}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "extra": 1}, "extra"),
    ],
)
async def test_a_bad_password_change_is_refused_naming_the_field_and_changes_nothing(services, body, field):
    carol = await add_person(services, "carol")
    async with services.store.reading() as uow:
        before = await uow.users.password_hash(carol.id or 0)
    async with await client_of(services, carol) as api:
        response = await api.post("/users/me/password", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    async with services.store.reading() as uow:
        assert await uow.users.password_hash(carol.id or 0) == before
    assert await events(services, "user.password_changed") == []


async def test_wrong_current_passwords_count_towards_the_lockout(services):
    carol = await add_person(services, "carol")
    wrong = {"current_password": "wrong password", "new_password": NEW_PASSWORD}
    async with await client_of(services, carol) as api:
        for _ in range(5):
            assert (await api.post("/users/me/password", json=wrong)).status_code == 422
        right = await api.post("/users/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert right.status_code == 422 and "locked" in right.json()["error"]["message"]
    assert len(await events(services, "user.locked_out")) == 1


async def test_an_administrator_resets_a_password_ending_the_sessions_and_lifting_a_lockout(services, api):
    carol = await add_person(services, "carol")
    async with signed_in_browser(services, "carol") as browser:
        async with services.store.transaction() as uow:
            locked = services.clock.now().replace(year=2100)
            await uow.conn.execute(users.update().where(users.c.id == carol.id).values(locked_until=locked))
        async with await client_of(services, carol) as as_carol:
            refused = await as_carol.post(f"/users/Users-{carol.id}/password", json={"new_password": NEW_PASSWORD})
        reset = await api.post(f"/users/Users-{carol.id}/password", json={"new_password": NEW_PASSWORD})

        assert refused.status_code == 403 and "user.edit" in refused.json()["error"]["message"]
        assert reset.status_code == 204
        assert (await browser.get("/")).status_code == 303  # the session ended
        assert (await sign_in(browser, "carol", NEW_PASSWORD)).status_code == 303  # and the lock is lifted
    [event] = await events(services, "user.password_reset")
    assert (event.entity_id, event.actor, event.details["sessions_ended"]) == (f"Users-{carol.id}", "admin", 1)
    assert NEW_PASSWORD not in str(event)


async def test_a_reset_is_refused_for_a_service_account_a_short_password_and_an_unknown_user(services, api):
    ci = (await api.post("/users", json={"username": "ci", "service_account": True})).json()
    carol = await add_person(services, "carol")

    service = await api.post(f"/users/{ci['id']}/password", json={"new_password": NEW_PASSWORD})
    short = await api.post(f"/users/Users-{carol.id}/password", json={"new_password": "short"})
    unknown = await api.post("/users/Users-99999/password", json={"new_password": NEW_PASSWORD})

    assert service.status_code == short.status_code == 422
    assert service.json()["error"]["field"] == short.json()["error"]["field"] == "new_password"
    assert "service account" in service.json()["error"]["message"]
    assert unknown.status_code == 404
    assert await events(services, "user.password_reset") == []


async def test_a_service_account_cannot_change_its_own_password(services, api):
    ci = (await api.post("/users", json={"username": "ci", "service_account": True})).json()
    async with services.store.reading() as uow:
        account = await uow.users.get_by_username("ci")
    async with await client_of(services, account) as as_ci:
        response = await as_ci.post("/users/me/password", json={"current_password": "x", "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "new_password"
    assert ci["service_account"] is True
