"""`GET /configuration`: the administration pages a visitor may use (users, teams, their API keys, the audit
log, the outbox), and what every administration form shares (`act`).

Each form does its work through the engine call the API uses, recorded with the channel `ui` and the
evidence `session`. A form without the session's CSRF token, or from another site, is refused unread; a
refusal for want of permission is audited as the API's are; a refused form shows its page again with the
reason and the status the API would give.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.errors import InvalidInput, SeawayError
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import holds_anywhere
from seaway.web.api.changes import plain, record_change
from seaway.web.sessions import SignedIn
from seaway.web.ui.forms import submit
from seaway.web.ui.pages import PostedForm, page_for, render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)


class Reshow(Protocol):
    """A page shown again after a refused form: the visitor, the status, the reason and the field it names
    (a page that shows the reason next to the field)."""

    def __call__(
        self, request: Request, signed_in: SignedIn, status: int, error: str, /, *, field: str | None = None
    ) -> Awaitable[Response]: ...


# What a form does; a response to show (a key shown once), or None to go back to the page.
Work = Callable[[PostedForm, Actor], Awaitable[Response | None]]


@dataclass(frozen=True)
class Section:
    title: str
    url: str
    about: str


# Each section and the permission that shows it (None: everyone signed in).
SECTIONS: tuple[tuple[Section, Permission | None], ...] = (
    (Section("Users", "/configuration/users", "Create, disable, reset passwords."), Permission.USER_VIEW),
    (Section("Teams", "/configuration/teams", "Members and their scoped roles."), Permission.TEAM_VIEW),
    (Section("My API keys", "/configuration/api-keys", "Create and revoke your keys."), None),
    (Section("Audit log", "/configuration/audit", "Who did what, where and when."), Permission.AUDIT_VIEW),
    (Section("Outbox", "/outbox", "The emails Seaway wrote."), Permission.OUTBOX_VIEW),
    (
        Section("Approval policies and freezes", "/configuration/policies", "Who approves what, when, and when not."),
        Permission.POLICY_VIEW,
    ),
)


@router.get("/configuration")
async def configuration_page(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    user = signed_in.user
    shown = [section for section, needs in SECTIONS if needs is None or holds_anywhere(user, needs)]
    return render("configuration.html", signed_in=signed_in, sections=shown)


async def show(request: Request, page: Callable[[Request, SignedIn, int, None], Awaitable[Response]]) -> Response:
    """An administration page as it stands, for a signed-in visitor; otherwise the redirect to sign in."""
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await page(request, signed_in, 200, None)


async def act(request: Request, back: str, work: Work, reshow: Reshow) -> Response:
    """Handle an administration form: `work` for a signed-in visitor with the session's token, then back to
    the page `back` (so a reload posts nothing again), or the page again with why it was refused."""

    async def done(form: PostedForm, actor: Actor) -> Response:
        shown = await work(form, actor)
        if shown is not None:
            return shown
        return RedirectResponse(ui_of(request).public_url.url(back), status_code=303)

    async def refused(form: PostedForm, exc: SeawayError) -> Response:
        field = exc.field if isinstance(exc, InvalidInput) else None
        return await reshow(request, form.signed_in, page_for(exc).status, exc.message, field=field)

    return await submit(request, done, refused)


async def record_edit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    now: datetime,
    kind: str,
    number: int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """The audit event the API's endpoints record for the same change (`user.created`, `team.updated`,
    `team.deleted`), with the fields it changed, from the objects' API representations."""
    what = "created" if before is None else "deleted" if after is None else "updated"
    await record_change(
        uow, actor, now=now, action=f"{kind}.{what}", entity=kind, entity_id=format_id(kind, number),
        before=plain(before) if before is not None else None, after=plain(after) if after is not None else None,
    )  # fmt: skip
