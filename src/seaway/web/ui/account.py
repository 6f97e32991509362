"""`GET/POST /account/password`: a signed-in person changes their own password.

The form carries the session's CSRF token and must come from this site. The current password is checked
as at sign-in (a wrong one counts towards the lockout); the new one must meet the rule and be typed twice.
Changing it ends the person's other sessions; this one goes on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.actors import AuthMethod
from seaway.domain.interruptions import Channel
from seaway.engine.passwords import MAX_LENGTH, change_own_password
from seaway.errors import InvalidInput
from seaway.security.passwords import MIN_LENGTH
from seaway.web.clients import actor_of
from seaway.web.sessions import CSRF_FIELD, SignedIn, lockout_policy
from seaway.web.ui.pages import from_this_site, message_page, render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

PATH = "/account/password"


@router.get(PATH)
async def password_page(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return _form(signed_in)


@router.post(PATH)
@from_this_site
async def change_password(request: Request) -> Response:
    ui = ui_of(request)
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    form = await request.form()
    if not ui.sessions.session_csrf_ok(signed_in, _text(form.get(CSRF_FIELD))):
        return _form(signed_in, status=403, error="This form is out of date for your sign-in. Please try again.")
    current = (_text(form.get("current_password")) or "")[:MAX_LENGTH]
    new = _text(form.get("new_password")) or ""
    if new != (_text(form.get("confirm_password")) or ""):
        return _form(signed_in, status=422, error="The new password and its confirmation differ.")
    services = ui.services
    try:
        await change_own_password(
            services.store,
            actor_of(request, signed_in.user, Channel.UI, AuthMethod.SESSION),
            current,
            new,
            now=services.clock.now(),
            policy=lockout_policy(services.settings),
            keep_session=signed_in.session.id,
        )
    except InvalidInput as exc:
        return _form(signed_in, status=422, error=_sentence(exc.message))
    return message_page(
        "Password changed", "Your password is changed. Your other sessions have ended; this one goes on.", status=200
    )


def _form(signed_in: SignedIn, *, status: int = 200, error: str | None = None) -> Response:
    return render("account_password.html", status=status, signed_in=signed_in, error=error, min_length=MIN_LENGTH)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
