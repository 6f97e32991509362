"""`GET/POST /signin` and `POST /signout`: a user name and password become a server-side session.

Unknown user, wrong password, disabled user and a user without a password all get the same answer in
about the same time (a password is always checked against some argon2 hash), so the page cannot be
used to find out who has an account. Failures are limited per client IP and per user name.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from seaway.domain.users import User
from seaway.security.passwords import hash_password, needs_rehash, verify_password
from seaway.web.clients import client_ip, user_agent
from seaway.web.sessions import CSRF_FIELD, SIGNIN_COOKIE, SIGNIN_PATH, SignedIn, is_local_path
from seaway.web.ui.pages import Ui, from_this_site, message_page, render, ui_of

log = logging.getLogger("seaway.web.signin")

router = APIRouter(include_in_schema=False)

WRONG_CREDENTIALS = "The user name or password is not correct."
_MAX_USERNAME = 64
_MAX_PASSWORD = 1024  # argon2 takes any length; a cap keeps one request from costing much more than another


@functools.cache
def _decoy_hash() -> str:
    """A hash no password matches, checked when there is no real one so every failure costs the same."""
    return hash_password(secrets.token_urlsafe(32))


@router.get("/signin")
async def signin_page(request: Request, next: str | None = None) -> HTMLResponse:
    ui = ui_of(request)
    signed_in = await ui.sessions.current(request)
    return _form(ui, request, next_path=next, signed_in=signed_in)


@router.post("/signin")
@from_this_site
async def signin(request: Request) -> Response:
    ui = ui_of(request)
    form = await request.form()
    username = str(form.get("username") or "").strip()[:_MAX_USERNAME]
    password = str(form.get("password") or "")[:_MAX_PASSWORD]
    next_path = str(form.get("next") or "") or None
    if not ui.sessions.signin_form_ok(request, _text(form.get(CSRF_FIELD))):
        error = "The sign-in form expired or did not come from this site. Please try again."
        return _form(ui, request, status=403, error=error, username=username, next_path=next_path)

    ip = client_ip(request) or "unknown"
    keys = (f"ip:{ip}", f"user:{username.lower()}")
    if any(ui.signin_failures.blocked(key) for key in keys):
        log.warning("sign-in refused: too many failed attempts (ip %s, user %r)", ip, username)
        error = "Too many failed sign-in attempts. Wait a minute and try again."
        return _form(ui, request, status=429, error=error, username=username, next_path=next_path)

    user = await _authenticate(ui, username, password)
    if user is None:
        for key in keys:
            ui.signin_failures.failed(key)
        log.warning("sign-in failed for user %r from %s", username, ip)
        return _form(ui, request, status=401, error=WRONG_CREDENTIALS, username=username, next_path=next_path)
    return await _start_session(ui, request, user, next_path)


@router.post("/signout")
@from_this_site
async def signout(request: Request) -> Response:
    ui = ui_of(request)
    form = await request.form()
    signed_in = await ui.sessions.current(request)
    if signed_in is not None and not ui.sessions.session_csrf_ok(signed_in, _text(form.get(CSRF_FIELD))):
        return message_page(
            "Not signed out",
            "The sign-out form did not come from this site.",
            status=403,
            signin_url=ui.public_url.signin_url(),
        )
    await ui.sessions.end(request)
    response = RedirectResponse(ui.public_url.url(SIGNIN_PATH), status_code=303)
    ui.sessions.clear_cookie(response)
    return response


async def _authenticate(ui: Ui, username: str, password: str) -> User | None:
    store = ui.services.store
    async with store.transaction() as uow:
        # A NUL can be in no user name (PostgreSQL could not even look it up): such a name matches nobody.
        user = await uow.users.find_by_username(username) if username and "\x00" not in username else None
        stored = await uow.users.password_hash(user.id) if user is not None and user.id is not None else None
    # argon2 is slow on purpose: off the event loop, so other requests are not held up.
    matches = await asyncio.to_thread(verify_password, stored or _decoy_hash(), password)
    if user is None or not stored or not matches or not user.active:
        return None
    if needs_rehash(stored):  # the hashing parameters got stronger since this hash was made
        assert user.id is not None
        new_hash = await asyncio.to_thread(hash_password, password)
        async with store.transaction() as uow:
            await uow.users.set_password_hash(user.id, new_hash)
    return user


async def _start_session(ui: Ui, request: Request, user: User, next_path: str | None) -> Response:
    now = ui.services.clock.now()
    async with ui.services.store.transaction() as uow:
        # A new token on every sign-in, and the browser's old session ends: no session fixation.
        await ui.sessions.end_in(uow, request)
        await uow.sessions.delete_expired(now)
        token, _ = await ui.sessions.start(uow, user, now=now, ip=client_ip(request), user_agent=user_agent(request))
    log.info("user %r signed in from %s", user.username, client_ip(request))
    target = next_path if next_path is not None and is_local_path(next_path) else "/"
    response = RedirectResponse(ui.public_url.url(target), status_code=303)
    ui.sessions.set_cookie(response, token)
    response.delete_cookie(SIGNIN_COOKIE, path=SIGNIN_PATH)
    return response


def _form(
    ui: Ui,
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    username: str = "",
    next_path: str | None = None,
    signed_in: SignedIn | None = None,
) -> HTMLResponse:
    token, new_nonce = ui.sessions.signin_form_token(request)
    response = render(
        "signin.html",
        status=status,
        csrf_token=token,
        error=error,
        username=username,
        # An outside target is dropped here already, so the form never carries it on.
        next_path=next_path if next_path is not None and is_local_path(next_path) else None,
        signed_in=signed_in,
    )
    if new_nonce is not None:
        ui.sessions.set_signin_cookie(response, new_nonce)
    return response


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
