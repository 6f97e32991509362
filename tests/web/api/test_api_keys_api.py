"""`/api/v1/api-keys`: one's own keys, shown once, listed by prefix and last use, revoked at once; another
user's only with `user.edit`. A revoked or expired key, or one of a disabled user, is a 401 that says which."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from tests.fixtures.approvals import services_with
from tests.fixtures.clock import FakeClock
from tests.fixtures.live_server import add_person
from tests.fixtures.web import api_key_for, http_client

from seaway.bootstrap import Services
from seaway.domain.users import User
from seaway.security.tokens import hash_token
from seaway.store.tables import api_keys


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def services(db_url, tmp_path, clock) -> AsyncIterator[Services]:
    async with services_with(db_url, tmp_path / "data", clock=clock) as built:
        yield built


async def client_of(services: Services, user: User):
    return http_client(services, await api_key_for(services, user))


async def test_a_key_is_shown_once_stored_hashed_and_listed_by_its_prefix(services, clock):
    alice = await add_person(services, "alice")
    async with await client_of(services, alice) as api:
        created = await api.post("/api-keys", json={"purpose": "GitHub Actions", "expires_in_days": 90})
        listed = await api.get("/api-keys")

    assert created.status_code == 201, created.text
    body = created.json()
    key = body.pop("key")
    assert key.startswith("API-") and body["prefix"] == key[:8]
    assert body == {
        "id": body["id"],
        "user": f"Users-{alice.id}",
        "purpose": "GitHub Actions",
        "prefix": key[:8],
        "state": "active",
        "created_at": clock.now().isoformat(),
        "expires_at": (clock.now() + timedelta(days=90)).isoformat(),
        "last_used_at": None,
        "revoked_at": None,
    }
    assert body["id"].startswith("ApiKeys-")
    assert listed.status_code == 200
    assert body in listed.json()  # the list never carries the key itself
    assert key not in listed.text
    async with services.store.reading() as uow:
        stored = [tuple(row) for row in await uow.conn.execute(api_keys.select())]
        [event] = await uow.audit.list(action="api_key.created")
    assert key not in str(stored) and hash_token(key) in str(stored)
    assert event.entity_id == body["id"] and event.actor == "alice" and event.auth == "api-key"
    assert event.details["purpose"] == "GitHub Actions" and key not in str(event.details)


async def test_the_new_key_works_and_its_last_use_is_recorded_at_most_once_a_minute(services, clock):
    alice = await add_person(services, "alice")
    async with await client_of(services, alice) as api:
        key = (await api.post("/api-keys", json={"purpose": "CI"})).json()
    async with http_client(services, key["key"]) as ci:
        assert (await ci.get("/api-keys")).status_code == 200
        first = clock.now()
        clock.advance(seconds=30)
        await ci.get("/api-keys")
        seen = {k["id"]: k["last_used_at"] for k in (await ci.get("/api-keys")).json()}
        assert seen[key["id"]] == first.isoformat()  # a use within the minute is not written
        clock.advance(seconds=31)
        await ci.get("/api-keys")
        seen = {k["id"]: k["last_used_at"] for k in (await ci.get("/api-keys")).json()}
    assert seen[key["id"]] == clock.now().isoformat()


async def test_a_get_with_a_key_used_within_the_minute_writes_nothing(services, clock, monkeypatch):
    alice = await add_person(services, "alice")
    writes: list[str] = []
    transaction = services.store.transaction

    def counted():
        writes.append("begin")
        return transaction()

    async with await client_of(services, alice) as api:
        await api.get("/api-keys")  # the first use: recorded after the response
        monkeypatch.setattr(services.store, "transaction", counted)
        for _ in range(5):
            clock.advance(seconds=10)
            assert (await api.get("/api-keys")).status_code == 200
        assert writes == []
        clock.advance(seconds=10)  # a minute since the recorded use
        await api.get("/api-keys")
    assert writes == ["begin"]


async def test_a_revoked_key_stops_working_at_once_and_says_so(services):
    alice = await add_person(services, "alice")
    async with await client_of(services, alice) as api:
        key = (await api.post("/api-keys", json={"purpose": "CI"})).json()
        revoked = await api.delete(f"/api-keys/{key['id']}")
        again = await api.delete(f"/api-keys/{key['id']}")
        listed = {k["id"]: k for k in (await api.get("/api-keys")).json()}
    async with http_client(services, key["key"]) as ci:
        refused = await ci.get("/api-keys")

    assert revoked.status_code == again.status_code == 204
    assert listed[key["id"]]["state"] == "revoked" and listed[key["id"]]["revoked_at"]
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert "revoked" in refused.json()["error"]["message"]
    async with services.store.reading() as uow:
        [event] = await uow.audit.list(action="api_key.revoked")  # revoking again records nothing
    assert event.entity_id == key["id"] and event.actor == "alice"


async def test_an_expired_key_is_refused_saying_it_expired(services, clock):
    alice = await add_person(services, "alice")
    async with await client_of(services, alice) as api:
        key = (await api.post("/api-keys", json={"purpose": "CI", "expires_in_days": 1})).json()
    async with http_client(services, key["key"]) as ci:
        assert (await ci.get("/api-keys")).status_code == 200
        clock.advance(days=1)
        refused = await ci.get("/api-keys")
    assert refused.status_code == 401
    assert "expired" in refused.json()["error"]["message"]


async def test_a_disabled_users_keys_stop_working_at_once(services):
    admin = await add_person(services, "root", is_admin=True)
    alice = await add_person(services, "alice")
    alice_key = await api_key_for(services, alice)
    async with http_client(services, alice_key) as as_alice, await client_of(services, admin) as as_admin:
        assert (await as_alice.get("/api-keys")).status_code == 200
        disabled = await as_admin.put(f"/users/Users-{alice.id}", json={"username": "alice", "active": False})
        refused = await as_alice.get("/api-keys")
        write = await as_alice.post("/api-keys", json={"purpose": "another"})

    assert disabled.status_code == 200
    assert refused.status_code == write.status_code == 401
    assert refused.json()["error"]["message"] == 'the API key belongs to user "alice", who is disabled'


async def test_someone_elses_key_is_unknown_to_a_non_admin_and_an_admin_manages_anyones(services):
    admin = await add_person(services, "root", is_admin=True)
    alice = await add_person(services, "alice")
    bob = await add_person(services, "bob")
    async with (
        await client_of(services, alice) as as_alice,
        await client_of(services, bob) as as_bob,
        await client_of(services, admin) as as_admin,
    ):
        key = (await as_alice.post("/api-keys", json={"purpose": "CI"})).json()
        bob_revokes = await as_bob.delete(f"/api-keys/{key['id']}")
        unknown = await as_bob.delete(f"/api-keys/ApiKeys-{int(key['id'].split('-')[1]) + 1000}")
        bob_lists = await as_bob.get("/api-keys", params={"user": f"Users-{alice.id}"})
        bob_creates = await as_bob.post("/api-keys", json={"purpose": "x", "user": f"Users-{alice.id}"})
        admin_lists = await as_admin.get("/api-keys", params={"user": f"Users-{alice.id}"})
        admin_creates = await as_admin.post("/api-keys", json={"purpose": "rotation", "user": f"Users-{alice.id}"})
        admin_revokes = await as_admin.delete(f"/api-keys/{key['id']}")
        nobody = await as_admin.get("/api-keys", params={"user": "Users-99999"})

    assert bob_revokes.status_code == unknown.status_code == 404
    # Someone else's key and no key at all read alike, but for the id each names.
    assert bob_revokes.json()["error"]["message"] == f"api_key {key['id']} does not exist"
    other_id = unknown.json()["error"]["message"].split()[1]
    assert unknown.json()["error"] == {**bob_revokes.json()["error"], "message": f"api_key {other_id} does not exist"}
    assert bob_lists.status_code == bob_creates.status_code == 403
    assert "user.edit" in bob_lists.json()["error"]["message"]
    assert admin_lists.status_code == 200 and key["id"] in [k["id"] for k in admin_lists.json()]
    assert admin_creates.status_code == 201 and admin_creates.json()["user"] == f"Users-{alice.id}"
    assert admin_revokes.status_code == 204
    assert nobody.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "purpose"),
        ({"purpose": " "}, "purpose"),
        ({"purpose": "CI", "expires_in_days": 0}, "expires_in_days"),
        ({"purpose": "CI", "expires_in_days": "ninety"}, "expires_in_days"),
        ({"purpose": "CI", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"purpose": "CI", "expires_at": "2027-01-01T00:00:00"}, "expires_at"),
        ({"purpose": "CI", "expires_in_days": 5, "expires_at": "2027-01-01T00:00:00Z"}, "expires_at"),
        ({"purpose": "CI", "user": "someone"}, "user"),
        ({"purpose": "CI", "colour": "blue"}, "colour"),
    ],
)
async def test_a_bad_body_is_refused_naming_the_field_and_creates_nothing(services, body, field):
    alice = await add_person(services, "alice")
    async with await client_of(services, alice) as api:
        response = await api.post("/api-keys", json=body)
        listed = await api.get("/api-keys")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert len(listed.json()) == 1  # only the test's own key


async def test_a_bad_key_id_is_refused_naming_it(services):
    alice = await add_person(services, "alice")
    async with await client_of(services, alice) as api:
        response = await api.delete("/api-keys/Teams-1")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "api_key_id"
