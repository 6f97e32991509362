"""Sign-in: a user name and password become a server-side session cookie, on both databases."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from tests.fixtures.approvals import services_with
from tests.fixtures.clock import FakeClock
from tests.fixtures.live_server import (
    PASSWORD,
    add_person,
    hidden_fields,
    page_client,
    session_csrf,
    sign_in,
)

from seaway.security.tokens import hash_token
from seaway.store.tables import sessions
from seaway.web.sessions import SESSION_COOKIE
from seaway.web.ui.signin import LOCKED, SERVICE_ACCOUNT, WRONG_CREDENTIALS

ORIGIN = {"Origin": "http://seaway.test"}


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def session_rows(services) -> list[sa.Row]:
    async with services.store.transaction() as uow:
        return list(await uow.conn.execute(sa.select(sessions)))


async def test_the_sign_in_page_is_a_form_for_user_name_and_password_that_keeps_where_to_go_next(client):
    page = await client.get("/signin", params={"next": "/links/abc123"})

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/signin"' in page.text
    assert 'name="username"' in page.text
    assert 'name="password" type="password"' in page.text
    fields = hidden_fields(page.text)
    assert fields["next"] == "/links/abc123"
    assert fields["csrf_token"]
    assert "<script" not in page.text.lower()


async def test_signing_in_sets_a_locked_down_session_cookie_and_returns_to_the_link(services, client):
    await add_person(services, "alice")

    response = await sign_in(client, "alice", next_path="/links/abc123")

    assert response.status_code == 303
    assert response.headers["location"] == "http://seaway.test/links/abc123"
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(f"{SESSION_COOKIE}="))
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert "secure" not in attributes  # the public URL is plain http
    token = cookie.split(";")[0].split("=", 1)[1]
    [row] = await session_rows(services)
    assert row.token_hash == hash_token(token)  # only the hash is stored
    assert token not in {str(value) for value in row._mapping.values()}

    again = await client.get("/signin")
    assert "You are signed in as Alice" in again.text


async def test_the_session_cookie_is_secure_when_the_public_url_is_https(db_url, tmp_path):
    async with services_with(db_url, tmp_path / "data", public_url="https://seaway.example.org") as services:
        await add_person(services, "alice")
        async with page_client(services) as client:
            page = await client.get("/signin")
            fields = hidden_fields(page.text) | {"username": "alice", "password": PASSWORD}
            response = await client.post("/signin", data=fields, headers={"Origin": "https://seaway.example.org"})

    assert response.status_code == 303
    assert response.headers["location"] == "https://seaway.example.org/"
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(f"{SESSION_COOKIE}="))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil.example", "/links/a\r\nX: y"]
)
async def test_sign_in_never_redirects_off_the_site(services, client, target):
    await add_person(services, "alice")

    response = await sign_in(client, "alice", next_path=target)

    assert response.status_code == 303
    assert response.headers["location"] == "http://seaway.test/"


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(services, client):
    await add_person(services, "alice")
    await add_person(services, "nopass", password=None)

    answers = []
    for username, password in (
        ("alice", "wrong password"),
        ("nobody", "wrong password"),
        ("nopass", ""),
        ("ali\x00ce", PASSWORD),  # a NUL can be in no user name; PostgreSQL could not even look it up
    ):
        response = await sign_in(client, username, password)
        answers.append((response.status_code, _without_tokens(response.text).replace(username, "NAME")))

    assert answers[0][0] == 401
    assert WRONG_CREDENTIALS in answers[0][1]
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert await session_rows(services) == []


async def test_a_disabled_user_cannot_sign_in(services, client):
    await add_person(services, "gone", active=False)

    response = await sign_in(client, "gone")

    assert response.status_code == 401
    assert WRONG_CREDENTIALS in response.text


async def test_the_sign_in_form_needs_its_csrf_token(services, client):
    await add_person(services, "alice")
    await client.get("/signin")  # the browser holds the nonce cookie

    missing = await client.post("/signin", data={"username": "alice", "password": PASSWORD}, headers=ORIGIN)
    forged = await client.post(
        "/signin", data={"username": "alice", "password": PASSWORD, "csrf_token": "enc:v1:AAAA"}, headers=ORIGIN
    )

    assert missing.status_code == forged.status_code == 403
    assert await session_rows(services) == []


async def test_a_csrf_token_from_another_browser_does_not_fit(services, client):
    await add_person(services, "alice")
    async with page_client(services) as attacker:
        stolen = hidden_fields((await attacker.get("/signin")).text)["csrf_token"]
    await client.get("/signin")

    response = await client.post(
        "/signin", data={"username": "alice", "password": PASSWORD, "csrf_token": stolen}, headers=ORIGIN
    )

    assert response.status_code == 403


async def test_a_cross_origin_sign_in_is_refused(services, client):
    await add_person(services, "alice")
    fields = hidden_fields((await client.get("/signin")).text) | {"username": "alice", "password": PASSWORD}

    response = await client.post("/signin", data=fields, headers={"Origin": "https://evil.example"})
    null_origin = await client.post("/signin", data=fields, headers={"Origin": "null"})
    marked = await client.post("/signin", data=fields, headers={"Sec-Fetch-Site": "cross-site"})
    framed = await client.post("/signin", data=fields, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})

    assert response.status_code == null_origin.status_code == marked.status_code == framed.status_code == 403
    assert await session_rows(services) == []
    own_form = await client.post("/signin", data=fields, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert own_form.status_code == 303  # what a browser sends under Referrer-Policy: no-referrer


async def test_repeated_failures_are_rate_limited_even_for_the_right_password(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, signin_failures_per_minute=3) as services:
        await add_person(services, "alice")
        async with page_client(services) as client:
            statuses = [(await sign_in(client, "alice", "wrong password")).status_code for _ in range(3)]
            blocked = await sign_in(client, "alice")
            clock.advance(seconds=61)
            later = await sign_in(client, "alice")

    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429
    assert later.status_code == 303


async def test_signing_out_ends_the_session_on_the_server(services, client):
    await add_person(services, "alice")
    signed_in = await sign_in(client, "alice")
    cookie = client.cookies[SESSION_COOKIE]
    signout_csrf = await session_csrf(client)
    assert signed_in.status_code == 303

    refused = await client.post("/signout", data={"csrf_token": "wrong"}, headers=ORIGIN)
    assert refused.status_code == 403
    response = await client.post("/signout", data={"csrf_token": signout_csrf}, headers=ORIGIN)

    assert response.status_code == 303
    assert response.headers["location"] == "http://seaway.test/signin"
    assert await session_rows(services) == []
    async with page_client(services, cookies={SESSION_COOKIE: cookie}) as replay:
        assert "You are signed in" not in (await replay.get("/signin")).text


@contextlib.asynccontextmanager
async def alice_signed_in(db_url, tmp_path, **settings) -> AsyncIterator[tuple[httpx.AsyncClient, FakeClock]]:
    """A browser signed in as alice, on a server whose clock the test moves."""
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, **settings) as services:
        await add_person(services, "alice")
        async with page_client(services) as client:
            await sign_in(client, "alice")
            yield client, clock


async def signed_in(client: httpx.AsyncClient) -> bool:
    page = (await client.get("/signin")).text
    return "You are signed in as Alice" in page


async def test_a_session_expires(db_url, tmp_path):
    async with alice_signed_in(db_url, tmp_path, session_hours=1) as (client, clock):
        assert await signed_in(client)
        clock.advance(hours=1, seconds=1)
        assert not await signed_in(client)


async def test_signing_in_again_replaces_the_old_session(services, client):
    await add_person(services, "alice")
    await add_person(services, "bob")
    await sign_in(client, "alice")
    first = client.cookies[SESSION_COOKIE]

    await sign_in(client, "bob")

    assert client.cookies[SESSION_COOKIE] != first
    [row] = await session_rows(services)
    assert row.token_hash == hash_token(client.cookies[SESSION_COOKIE])


async def test_sign_in_pages_carry_the_security_headers(client):
    for response in (await client.get("/signin"), await client.post("/signin", data={}, headers=ORIGIN)):
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )


async def test_the_stylesheet_is_served_by_seaway_itself(client):
    page = await client.get("/signin")
    sheet = await client.get("/static/seaway.css")

    assert '<link rel="stylesheet" href="/static/seaway.css">' in page.text
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from another host


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


# -- lockout, service accounts, the session limits and one's own password ----------------------------------


@pytest.fixture
async def clocked(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        yield services, clock


async def audit_of(services, action: str):
    async with services.store.reading() as uow:
        return await uow.audit.list(action=action)


async def test_the_fifth_wrong_password_locks_the_account_whatever_is_typed_next(clocked):
    services, clock = clocked
    alice = await add_person(services, "alice")
    async with page_client(services) as client:
        first_four = [await sign_in(client, "alice", "wrong password") for _ in range(4)]
        fifth = await sign_in(client, "alice", "wrong password")
        right = await sign_in(client, "alice")
        wrong = await sign_in(client, "alice", "wrong again")

    assert [r.status_code for r in first_four] == [401] * 4
    assert all(WRONG_CREDENTIALS in r.text and "locked" not in r.text for r in first_four)
    assert fifth.status_code == right.status_code == wrong.status_code == 401
    assert LOCKED in fifth.text
    # Locked, the right password and a wrong one get the same page: it never tells which was typed.
    assert _without_tokens(right.text) == _without_tokens(wrong.text)
    assert LOCKED in right.text
    assert await session_rows(services) == []
    failed = await audit_of(services, "sign_in.failed")
    assert [e.details["reason"] for e in failed] == ["bad password"] * 5 + ["locked"] * 2
    assert [e.details.get("failures") for e in failed[:5]] == [1, 2, 3, 4, 5]
    assert {(e.entity_id, e.actor, e.actor_user_id, e.auth, e.channel) for e in failed} == {
        (f"Users-{alice.id}", "alice", alice.id, "password", "ui")
    }
    [locked_out] = await audit_of(services, "user.locked_out")
    assert locked_out.entity_id == f"Users-{alice.id}"
    assert locked_out.details["locked_until"] == (clock.now() + timedelta(minutes=15)).isoformat()


async def test_the_lock_expires_after_the_window(clocked):
    services, clock = clocked
    await add_person(services, "alice")
    async with page_client(services) as client:
        for _ in range(5):
            await sign_in(client, "alice", "wrong password")
        clock.advance(minutes=14, seconds=59)
        still = await sign_in(client, "alice")
        clock.advance(seconds=1)
        after = await sign_in(client, "alice")

    assert LOCKED in still.text
    assert after.status_code == 303
    [succeeded] = await audit_of(services, "sign_in.succeeded")
    assert succeeded.actor == "alice" and succeeded.auth == "password"


async def test_failures_are_counted_within_the_window_and_a_success_starts_the_count_afresh(clocked):
    services, clock = clocked
    await add_person(services, "alice")
    async with page_client(services) as client:
        for _ in range(4):
            await sign_in(client, "alice", "wrong password")
        clock.advance(minutes=15, seconds=1)  # the first of those is now outside the window
        after_the_window = await sign_in(client, "alice", "wrong password")
        for _ in range(3):
            await sign_in(client, "alice", "wrong password")
        clock.advance(minutes=1)
        success = await sign_in(client, "alice")
        clock.advance(minutes=1)
        again = [await sign_in(client, "alice", "wrong password") for _ in range(4)]

    assert WRONG_CREDENTIALS in after_the_window.text
    assert success.status_code == 303  # four failures in this window: not locked
    assert all(WRONG_CREDENTIALS in r.text for r in again)  # the success cleared the count
    assert await audit_of(services, "user.locked_out") == []


async def test_unknown_and_disabled_users_are_audited_with_their_reason_and_never_locked(clocked):
    services, _ = clocked
    gone = await add_person(services, "gone", active=False)
    async with page_client(services) as client:
        for _ in range(6):
            await sign_in(client, "gone", PASSWORD)
        answers = {(await sign_in(client, name, PASSWORD)).status_code for name in ("nobody", "no\x00body")}

    assert answers == {401}
    failed = await audit_of(services, "sign_in.failed")
    assert [e.details["reason"] for e in failed] == ["disabled"] * 6 + ["unknown user"] * 2
    assert failed[0].entity_id == f"Users-{gone.id}"
    strangers = failed[6:]
    assert [(e.actor, e.actor_user_id, e.entity_id, e.actor_kind) for e in strangers] == [
        ("nobody", None, "", "user"),
        ("no?body", None, "", "user"),  # as typed, made printable
    ]
    assert await audit_of(services, "user.locked_out") == []


async def test_a_service_account_cannot_sign_in_here(services, client):
    await add_person(services, "ci", password=None, service_account=True)

    response = await sign_in(client, "ci", PASSWORD)

    assert response.status_code == 403
    assert SERVICE_ACCOUNT in response.text
    assert await session_rows(services) == []
    [failed] = await audit_of(services, "sign_in.failed")
    assert failed.details["reason"] == "service account" and failed.actor_kind == "service-account"


async def test_a_session_ends_after_an_hour_without_use(db_url, tmp_path):
    async with alice_signed_in(db_url, tmp_path) as (client, clock):
        for _ in range(3):  # used every 59 minutes, it goes on
            clock.advance(minutes=59)
            assert await signed_in(client)
        clock.advance(minutes=60)
        assert not await signed_in(client)


async def test_a_busy_session_still_ends_at_the_absolute_limit(db_url, tmp_path):
    async with alice_signed_in(db_url, tmp_path, session_hours=2) as (client, clock):
        for _ in range(3):
            clock.advance(minutes=30)
            assert await signed_in(client)
        clock.advance(minutes=30)
        assert not await signed_in(client)


async def test_a_page_view_records_the_sessions_use_at_most_once_a_minute(clocked):
    services, clock = clocked
    await add_person(services, "alice")
    async with page_client(services) as client:
        await sign_in(client, "alice")
        signed_in_at = clock.now()
        clock.advance(seconds=30)
        await client.get("/signin")
        [row] = await session_rows(services)
        assert row.last_seen_at is None  # within its first minute: nothing written
        clock.advance(seconds=40)
        await client.get("/signin")
        seen = clock.now()
        clock.advance(seconds=30)
        await client.get("/signin")
        [row] = await session_rows(services)
    assert row.last_seen_at == seen and seen - signed_in_at == timedelta(seconds=70)


async def test_a_disabled_users_session_is_refused_on_the_next_request(services, client):
    alice = await add_person(services, "alice")
    await sign_in(client, "alice")
    async with services.store.transaction() as uow:
        await uow.users.save(replace(alice, active=False))  # directly: no session is ended for it

    assert "You are signed in" not in (await client.get("/signin")).text
    assert (await client.get("/")).status_code == 303


async def test_changing_ones_password_on_the_account_page(services, client):
    alice = await add_person(services, "alice")
    assert (await client.get("/account/password")).status_code == 303  # signed out: to the sign-in page
    await sign_in(client, "alice")
    async with page_client(services) as elsewhere:
        await sign_in(elsewhere, "alice")
        page = await client.get("/account/password")
        csrf = hidden_fields(page.text)["csrf_token"]
        new = "a much better passphrase"

        def form(**fields):
            passwords = {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
            return {"csrf_token": csrf, **passwords} | fields

        forged = await client.post("/account/password", data=form(csrf_token="wrong"), headers=ORIGIN)
        other_site = await client.post("/account/password", data=form(), headers={"Origin": "https://evil.example"})
        mismatch = await client.post("/account/password", data=form(confirm_password="something else"), headers=ORIGIN)
        wrong = await client.post("/account/password", data=form(current_password="wrong password"), headers=ORIGIN)
        short = await client.post(
            "/account/password", data=form(new_password="short", confirm_password="short"), headers=ORIGIN
        )
        assert len(await session_rows(services)) == 2
        changed = await client.post("/account/password", data=form(), headers=ORIGIN)
        assert "You are signed in" not in (await elsewhere.get("/signin")).text  # the other session ended

    assert page.status_code == 200 and 'name="current_password" type="password"' in page.text
    assert "<script" not in page.text.lower()
    assert forged.status_code == other_site.status_code == 403
    assert mismatch.status_code == wrong.status_code == short.status_code == 422
    assert "differ" in mismatch.text and "not correct" in wrong.text and "at least 8" in short.text
    assert changed.status_code == 200 and "Password changed" in changed.text
    assert "You are signed in as Alice" in (await client.get("/signin")).text  # this one goes on
    [row] = await session_rows(services)
    assert row.user_id == alice.id
    [event] = await audit_of(services, "user.password_changed")
    assert (event.actor, event.auth, event.channel, event.details["sessions_ended"]) == ("alice", "session", "ui", 1)
    async with page_client(services) as fresh:
        assert (await sign_in(fresh, "alice", new)).status_code == 303
