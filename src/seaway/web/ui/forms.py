"""What every form that changes something does with its POST, whatever page it belongs to.

A form counts only from a signed-in visitor with the session's CSRF token (one without is refused as out of
date); its work runs as the UI's actor (channel `ui`, evidence `session`); a refusal for want of permission
is audited as the API's are; a refused form answers with its page again, told why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel
from seaway.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SeawayError
from seaway.web.access import record_refusal
from seaway.web.clients import actor_of
from seaway.web.ui.pages import OUT_OF_DATE, PostedForm, posted_form

# What a form does, and the response once it is done (most often a redirect, so a reload posts nothing again).
FormWork = Callable[[PostedForm, Actor], Awaitable[Response]]
# The form's page again, refused for `error`.
Refused = Callable[[PostedForm, SeawayError], Awaitable[Response]]


async def submit(request: Request, work: FormWork, refused: Refused, *, out_of_date: Refused | None = None) -> Response:
    """Handle a posted form: `work`, or `refused` with why not (`out_of_date` instead, when given, for a form
    without the session's token); a visitor not signed in is sent to sign in first."""
    form = await posted_form(request)
    if isinstance(form, Response):
        return form
    if not form.csrf_ok:
        return await (out_of_date or refused)(form, PermissionDenied(OUT_OF_DATE))
    actor = actor_of(request, form.signed_in.user, Channel.UI, AuthMethod.SESSION)
    try:
        return await work(form, actor)
    except (PermissionDenied, InvalidInput, NotFound, Conflict) as exc:
        if isinstance(exc, PermissionDenied):
            await record_refusal(request, exc, actor)
        return await refused(form, exc)
