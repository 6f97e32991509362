"""`GET /outbox` (administrators: `outbox.view`): the emails Seaway wrote, newest first, those kept while no
SMTP server is set among them, each shown as its recipient would see it.

An email is shown in a sandboxed frame from `GET /outbox/{id}/html`, which serves the email's own HTML under
a policy of its own (`security_headers.EMAIL_FRAME_POLICY`): nothing runs and nothing loads, and its links
open in the top window, so an approval email's Approve and Reject lead to the real link pages and the whole
approval story can be walked in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.errors import InvalidInput, NotFound, PermissionDenied
from seaway.store.emails import StoredEmail
from seaway.web.access import require
from seaway.web.security_headers import EMAIL_SANDBOX
from seaway.web.ui.pages import error_page, render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

EMAILS_SHOWN = 50
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
# Links in a framed email leave the frame: the link pages refuse to be framed, and should be.
_TOP = '<base target="_top">'


@dataclass(frozen=True)
class OutboxEmail:
    id: str
    subject: str
    to: str
    state: str
    created_at: datetime
    last_error: str | None
    text: str
    html_url: str | None


def _outbox_email(email: StoredEmail) -> OutboxEmail:
    public_id = format_id("email", email.id)
    return OutboxEmail(
        id=public_id,
        subject=email.subject,
        to=", ".join(email.to),
        state=email.state.value,
        created_at=email.created_at,
        last_error=email.last_error,
        text=email.text,
        html_url=f"/outbox/{public_id}/html" if email.html else None,
    )


@router.get("/outbox")
async def outbox_page(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    try:
        require(signed_in.user, Permission.OUTBOX_VIEW)
    except PermissionDenied as exc:
        return error_page(exc)
    ui = ui_of(request)
    async with ui.services.store.reading() as uow:
        emails = await uow.emails.list(limit=EMAILS_SHOWN)
    return render(
        "outbox.html",
        signed_in=signed_in,
        emails=[_outbox_email(e) for e in emails],
        smtp_set=bool(ui.services.settings.smtp_host),
        sandbox=EMAIL_SANDBOX,
    )


@router.get("/outbox/{email_id}/html")
async def email_html(request: Request, email_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    try:
        require(signed_in.user, Permission.OUTBOX_VIEW)
        number = parse_id("email", email_id)
        async with ui_of(request).services.store.reading() as uow:
            email = await uow.emails.get(number)
        if email.html is None:
            raise NotFound(f"{email_id} has no HTML part", entity="email", id=email_id)
    except PermissionDenied as exc:
        return error_page(exc)
    except (InvalidInput, NotFound):
        return error_page(NotFound(f'Seaway has no email "{email_id}".', entity="email", id=email_id))
    return HTMLResponse(_with_links_on_top(email.html))


def _with_links_on_top(html: str) -> str:
    head = _HEAD.search(html)
    if head is None:
        return _TOP + html
    return html[: head.end()] + _TOP + html[head.end() :]
