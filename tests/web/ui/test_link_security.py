"""The approval-link security checklist, item by item, against the real app on both databases."""

from __future__ import annotations

import logging
import logging.config
import re

import pytest
import uvicorn.config
from tests.fixtures.approvals import SIGN_OFF, run_all, services_with, set_up
from tests.fixtures.clock import FakeClock
from tests.fixtures.live_server import (
    SIGN_IN_REQUIRED,
    decision_state,
    emailed_links,
    hidden_fields,
    origin_of,
    page_client,
    token_in,
)

from seaway.security.tokens import hash_token, token_fingerprint
from seaway.web.app import create_app
from seaway.web.rate_limit import RateLimiter
from seaway.web.security_headers import CONTENT_SECURITY_POLICY
from seaway.web.sessions import PublicUrl, is_local_path
from seaway.web.ui.link_tokens import LinkTokenFilter, redact_link_tokens

PAGE_HEADERS = {
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


def assert_safe_page(response) -> None:
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    text = response.text.lower()
    assert "<script" not in text
    assert "javascript:" not in text
    assert not re.search(r"\son[a-z]+\s*=", text)  # no inline event handlers either
    assert not re.search(r'(src|href|action)="(https?:)?//(?!seaway\.test)', text)  # nothing from another host


async def test_every_link_page_has_the_headers_and_no_script(services, client):
    await set_up(services, SIGN_OFF)
    alice = await emailed_links(services, "alice@example.org")
    bob = await emailed_links(services, "bob@example.org")
    approve_page = await client.get(alice["Approve"])

    responses = [
        approve_page,
        await client.head(alice["Approve"]),
        await client.get(alice["Reject"]),
        await client.post(alice["Reject"], data=hidden_fields(approve_page.text), headers=origin_of(client)),  # 403
        await client.post(
            alice["Reject"],
            data=hidden_fields((await client.get(alice["Reject"])).text) | {"note": ""},
            headers=origin_of(client),
        ),  # 422
        await client.post(alice["Approve"], data=hidden_fields(approve_page.text), headers=origin_of(client)),  # 200
        await client.get(alice["Approve"]),  # already used
        await client.get(bob["Approve"]),  # already decided by someone else
        await client.post(alice["Approve"], data=hidden_fields(approve_page.text), headers={"Origin": "null"}),
        await client.get("/links/not-a-token"),
        await client.put(alice["Approve"]),  # 405
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 403, 422, 200, 200, 200, 403, 404, 405]
    for response in responses:
        for name, value in PAGE_HEADERS.items():
            assert response.headers.get(name) == value, (name, response.status_code)
        if response.headers.get("content-type", "").startswith("text/html") and response.request.method != "HEAD":
            assert_safe_page(response)


async def test_the_sign_in_required_page_has_no_script_either(services, client):
    await set_up(services, SIGN_IN_REQUIRED)
    links = await emailed_links(services, "alice@example.org")

    assert_safe_page(await client.get(links["Approve"]))
    assert_safe_page(await client.post(links["Approve"], data={"token": token_in(links["Approve"])}))


async def test_the_json_api_is_left_to_its_own_headers(client):
    # Its interactive documentation loads scripts; the page policy is for Seaway's own pages.
    response = await client.get("/api/v1/health")

    assert response.status_code == 200
    assert "content-security-policy" not in response.headers
    assert PAGE_HEADERS["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_a_cross_origin_post_is_refused_and_decides_nothing(services, client):
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    fields = hidden_fields((await client.get(links["Approve"])).text)
    before = await decision_state(services)

    refused = [
        await client.post(links["Approve"], data=fields, headers={"Origin": origin})
        for origin in (
            "https://evil.example",
            "http://seaway.test.evil.example",
            "https://seaway.test",  # another scheme is another origin
            "http://seaway.test:8080",
            "null",
        )
    ]
    marked = [
        await client.post(links["Approve"], data=fields, headers=headers)
        for headers in (
            {"Sec-Fetch-Site": "cross-site"},
            {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # another site's sandboxed frame
            {"Origin": "null", "Sec-Fetch-Site": "same-site"},  # a sibling subdomain
        )
    ]

    assert {r.status_code for r in refused} == {403}
    assert {r.status_code for r in marked} == {403}
    assert "sent from another site" in marked[0].text
    assert await decision_state(services) == before
    same_origin = await client.post(links["Approve"], data=fields, headers={"Origin": "http://SEAWAY.test:80"})
    assert same_origin.status_code == 200


async def test_a_browser_posting_the_page_s_own_form_under_no_referrer_is_accepted(services, client):
    # Referrer-Policy: no-referrer makes browsers send `Origin: null` with the page's own form; Fetch Metadata
    # says it is same-origin. (What Chromium sends; tests/e2e/test_browser_approval.py clicks it for real.)
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    fields = hidden_fields((await client.get(links["Approve"])).text)

    response = await client.post(
        links["Approve"], data=fields, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    )

    assert response.status_code == 200 and "<h1>Approved</h1>" in response.text


async def test_the_form_must_carry_the_links_own_token(services, client):
    await set_up(services)
    alice = await emailed_links(services, "alice@example.org")
    bob = await emailed_links(services, "bob@example.org")
    before = await decision_state(services)

    missing = await client.post(alice["Approve"], data={"note": "x"}, headers=origin_of(client))
    other = await client.post(alice["Approve"], data={"token": token_in(bob["Approve"])}, headers=origin_of(client))

    assert missing.status_code == other.status_code == 403
    assert await decision_state(services) == before


async def test_links_and_redirects_are_built_from_the_public_url_never_the_host_header(services, client):
    await set_up(services, SIGN_IN_REQUIRED)
    links = await emailed_links(services, "alice@example.org")
    spoofed = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}

    page = await client.get(links["Approve"], headers=spoofed)
    unknown = await client.get("/links/nope", headers=spoofed)

    assert f'href="http://seaway.test/signin?next={links["Approve"]}"' in page.text
    assert 'href="http://seaway.test/signin"' in unknown.text
    assert "evil.example" not in page.text + unknown.text


async def test_token_lookups_are_rate_limited_per_client(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, link_failures_per_minute=3) as services:
        await set_up(services)
        links = await emailed_links(services, "alice@example.org")
        async with page_client(services) as client:
            guesses = [(await client.get(f"/links/guess-{n}")).status_code for n in range(3)]
            blocked = await client.get(links["Approve"])
            blocked_post = await client.post(
                links["Approve"], data={"token": token_in(links["Approve"])}, headers=origin_of(client)
            )
            clock.advance(seconds=61)
            later = await client.get(links["Approve"])

    assert guesses == [404, 404, 404]
    assert blocked.status_code == blocked_post.status_code == 429
    assert "Too many attempts" in blocked.text
    for name, value in PAGE_HEADERS.items():
        assert blocked.headers[name] == value
    assert later.status_code == 200


async def test_failed_expired_and_replayed_attempts_are_logged_by_fingerprint_never_by_token(db_url, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="seaway")
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, approval_link_hours=72) as services:
        await set_up(services)
        alice = await emailed_links(services, "alice@example.org")
        bob = await emailed_links(services, "bob@example.org")
        async with page_client(services) as client:
            page = await client.get(alice["Approve"])
            await client.post(alice["Approve"], data=hidden_fields(page.text), headers=origin_of(client))
            await client.get(alice["Approve"])  # replayed
            await client.get("/links/made-up-token")  # unknown
            clock.advance(hours=73)
            await run_all(services)
            await client.get(bob["Reject"])  # expired (and decided meanwhile)

    messages = [record.getMessage() for record in caplog.records]
    text = "\n".join(messages)
    for path in (*alice.values(), *bob.values()):
        assert token_in(path) not in text
    assert "made-up-token" not in text
    replayed = token_fingerprint(hash_token(token_in(alice["Approve"])))
    assert any(m.startswith(f"replayed approval link {replayed} opened") for m in messages)
    assert any(f"unknown token {token_fingerprint(hash_token('made-up-token'))}" in m for m in messages)
    assert any(f"approval link {token_fingerprint(hash_token(token_in(bob['Reject'])))}" in m for m in messages)
    assert all(r.levelno == logging.WARNING for r in caplog.records if "unknown token" in r.getMessage())


async def test_an_expired_link_is_logged_as_expired(db_url, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="seaway.web.links")
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, approval_link_hours=72) as services:
        await set_up(services)
        links = await emailed_links(services, "alice@example.org")
        clock.advance(hours=72)
        async with page_client(services) as client:
            response = await client.get(links["Reject"])

    assert response.status_code == 410
    fingerprint = token_fingerprint(hash_token(token_in(links["Reject"])))
    assert [r.getMessage() for r in caplog.records if r.name == "seaway.web.links"] == [
        f"expired approval link {fingerprint} opened from 127.0.0.1 (expired)"
    ]


# -- the access log ---------------------------------------------------------------------------------


def test_the_access_log_filter_cuts_link_tokens_to_six_characters():
    token = "Nhy5PRVRtTEne-XcqQ_stlIBqZ-Apv9MH2bPVsxFDVA"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/links/{token}?utm=x", "1.1", 200),
        None,
    )

    assert LinkTokenFilter().filter(record) is True
    assert record.getMessage() == '127.0.0.1:5000 - "GET /links/Nhy5PR…?utm=x HTTP/1.1" 200'
    assert redact_link_tokens(redact_link_tokens(f"/links/{token}")) == "/links/Nhy5PR…"
    assert redact_link_tokens("/signin?next=/links/abcdefghij") == "/signin?next=/links/abcdef…"


def test_creating_the_app_installs_the_filter_on_uvicorns_loggers_once(services):
    create_app(services)
    create_app(services)

    for name in ("uvicorn.access", "uvicorn.error"):
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, LinkTokenFilter)]
        assert len(filters) == 1


def test_the_filter_survives_uvicorns_own_logging_set_up(services):
    # `seaway server` creates the app first, then uvicorn configures logging with dictConfig.
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {name: _logger_state(logging.getLogger(name)) for name in names}
    try:
        create_app(services)
        logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
        assert any(isinstance(f, LinkTokenFilter) for f in logging.getLogger("uvicorn.access").filters)
    finally:
        for name, (handlers, level, propagate, disabled) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate, logger.disabled = propagate, disabled


def _logger_state(logger: logging.Logger):
    return logger.handlers[:], logger.level, logger.propagate, logger.disabled


# -- the building blocks ----------------------------------------------------------------------------


def test_the_public_origin_is_normalised():
    assert PublicUrl("http://Seaway.test:80/").origin == "http://seaway.test"
    assert PublicUrl("https://seaway.example.org:8443/base").origin == "https://seaway.example.org:8443"
    assert PublicUrl("https://seaway.example.org/").secure
    assert PublicUrl("https://seaway.example.org/").signin_url("/links/a b") == (
        "https://seaway.example.org/signin?next=/links/a%20b"
    )
    with pytest.raises(ValueError, match="not an http"):
        PublicUrl("ftp://seaway.test")


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("/links/abc", True),
        ("/", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example", False),
        ("links/abc", False),
        ("", False),
        (None, False),
        ("/a\nb", False),
    ],
)
def test_only_paths_on_this_site_are_local(target, local):
    assert is_local_path(target) is local


def test_the_rate_limiter_counts_failures_in_a_sliding_window():
    clock = FakeClock()
    limiter = RateLimiter(clock, limit=2, max_keys=2)

    limiter.failed("a")
    clock.advance(seconds=30)
    limiter.failed("a")
    assert limiter.blocked("a")
    assert not limiter.blocked("b")
    clock.advance(seconds=31)  # the first failure left the window
    assert not limiter.blocked("a")
    limiter.failed("a")
    assert limiter.blocked("a")

    limiter.failed("b")
    limiter.failed("c")  # over max_keys: the key whose newest failure is oldest goes
    assert set(limiter._failures) == {"b", "c"}
