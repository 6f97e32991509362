"""`GET/POST /signin` and `POST /signout`: a user name and password become a server-side session.

Unknown user, wrong password, disabled user and a user without a password all get the same answer in
about the same time (a password is always checked against some argon2 hash), so the page cannot be
used to find out who has an account. A locked account (`engine.sign_in`: too many wrong passwords) is told
it is locked, whatever password was typed; a service account is told it cannot sign in here. Failures are
also limited per client IP and per user name, in memory, before any account is read. Every attempt is
audited (`sign_in.succeeded`, `sign_in.failed` with its reason, `user.locked_out`).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from seaway.domain.actors import AuthMethod
from seaway.domain.interruptions import Channel
from seaway.domain.sign_in import FailureReason
from seaway.domain.users import User
from seaway.engine import sign_in
from seaway.engine.lockout import Stranger, record_success
from seaway.engine.passwords import MAX_LENGTH
from seaway.web.clients import actor_of, client_ip, user_agent
from seaway.web.sessions import CSRF_FIELD, SIGNIN_COOKIE, SIGNIN_PATH, SignedIn, is_local_path, lockout_policy
from seaway.web.ui.pages import Ui, from_this_site, message_page, render, ui_of

log = logging.getLogger("seaway.web.signin")

router = APIRouter(include_in_schema=False)

WRONG_CREDENTIALS = "The user name or password is not correct."
LOCKED = (
    "This account is locked after too many failed sign-ins. Try again later, "
    "or ask an administrator to reset its password."
)
SERVICE_ACCOUNT = "This is a service account: it signs in with API keys only, not on this page."
_MAX_USERNAME = 64
# The answer to each refusal: status and message. The reasons not listed all get WRONG_CREDENTIALS.
_TOLD = {
    FailureReason.LOCKED: (401, LOCKED),
    FailureReason.SERVICE_ACCOUNT: (403, SERVICE_ACCOUNT),
}


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
    password = str(form.get("password") or "")[:MAX_LENGTH]
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

    services = ui.services
    outcome = await sign_in.attempt(
        services.store,
        username,
        password,
        actor_of=lambda user: actor_of(request, user, Channel.UI, AuthMethod.PASSWORD),
        stranger=Stranger(username, Channel.UI, client_ip(request), user_agent(request)),
        now=services.clock.now(),
        policy=lockout_policy(services.settings),
    )
    if outcome.user is None:
        for key in keys:
            ui.signin_failures.failed(key)
        log.warning("sign-in failed for user %r from %s (%s)", username, ip, outcome.failure)
        status, error = _TOLD.get(outcome.failure or FailureReason.BAD_PASSWORD, (401, WRONG_CREDENTIALS))
        return _form(ui, request, status=status, error=error, username=username, next_path=next_path)
    return await _start_session(ui, request, outcome.user, next_path, outcome.new_hash)


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


async def _start_session(ui: Ui, request: Request, user: User, next_path: str | None, new_hash: str | None) -> Response:
    now = ui.services.clock.now()
    async with ui.services.store.transaction() as uow:
        # A new token on every sign-in, and the browser's old session ends: no session fixation.
        await ui.sessions.end_in(uow, request)
        await uow.sessions.delete_expired(now)
        token, _ = await ui.sessions.start(uow, user, now=now, ip=client_ip(request), user_agent=user_agent(request))
        await record_success(uow, actor_of(request, user, Channel.UI, AuthMethod.PASSWORD), now=now)
        if new_hash is not None:  # the hashing parameters got stronger since the stored hash was made
            assert user.id is not None
            await uow.users.set_password_hash(user.id, new_hash)
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
