"""What the browser pages share: the `Ui` state, rendering, sign-in redirects, and the UI's one table from
Seaway's errors to pages.

A page that reports an error answers with the status the API gives the same error (`web/errors.status_for`),
so a page and the API never disagree about what an error means.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, cast

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SeawayError,
)
from seaway.jinja_environment import jinja_environment
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Scopes, Where, require_visible
from seaway.web.errors import status_for
from seaway.web.rate_limit import RateLimiter
from seaway.web.sessions import CSRF_FIELD, PublicUrl, Sessions, SignedIn
from seaway.web.ui.navigation import Nav, nav_for, section_of
from seaway.web.ui.waiting import waiting_count

if TYPE_CHECKING:
    from seaway.bootstrap import Services

_templates = jinja_environment("seaway.web")

# The title of the page that reports an error of each kind; the first match wins.
_TITLES: tuple[tuple[type[SeawayError], str], ...] = (
    (AuthenticationFailed, "Sign in"),
    (PermissionDenied, "Not allowed"),
    (NotFound, "Not found"),
    (InvalidTransition, "Not possible now"),
    (Conflict, "Changed meanwhile"),
    (InvalidInput, "Not accepted"),
)


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str


def page_for(error: SeawayError) -> ErrorPage:
    """How a page reports `error`: the API's status for it, and a title."""
    title = next((title for kind, title in _TITLES if isinstance(error, kind)), "Refused")
    return ErrorPage(status_for(error), title)


@dataclass
class Ui:
    """What the pages share, built once per app."""

    services: Services
    public_url: PublicUrl
    sessions: Sessions
    link_failures: RateLimiter
    signin_failures: RateLimiter


def ui_of(request: Request) -> Ui:
    return cast("Ui", request.app.state.ui)


def render(template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("signed_in", None)
    signed_in = context["signed_in"]
    context.setdefault("nav", nav_for(signed_in.user) if signed_in is not None else None)
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status)


def message_page(
    title: str, message: str, *, status: int, signin_url: str | None = None, detail: str | None = None
) -> HTMLResponse:
    """A page that only explains something: refused, too many attempts, and the like."""
    return render("message.html", status=status, title=title, message=message, detail=detail, signin_url=signin_url)


def error_page(error: SeawayError, *, title: str | None = None) -> HTMLResponse:
    """A page that only reports `error`, with the status and (unless given) the title of `page_for`."""
    page = page_for(error)
    return message_page(title or page.title, error.message, status=page.status)


# Where the object of each kind of page lies, as its permissions are checked.
_WHERE: dict[str, Callable[[Scopes, int], Awaitable[Where]]] = {
    "project": Scopes.of_project,
    "release": Scopes.of_release,
    "deployment": Scopes.of_deployment,
}
OUT_OF_DATE = "This form is out of date for your sign-in. Please try again."

_Params = ParamSpec("_Params")


def from_this_site(handler: Callable[_Params, Awaitable[Response]]) -> Callable[_Params, Awaitable[Response]]:
    """For the route that a form posts to: a form a browser sent from another site is refused unread.

    The handler must take the request as `request` (FastAPI passes every argument by keyword)."""

    @functools.wraps(handler)
    async def refusing_other_sites(*args: _Params.args, **kwargs: _Params.kwargs) -> Response:
        request = kwargs["request"]
        assert isinstance(request, Request)
        if ui_of(request).public_url.is_cross_origin(request):
            return refused_from_other_site()
        return await handler(*args, **kwargs)

    return refusing_other_sites


def refused_from_other_site() -> HTMLResponse:
    return message_page("Refused", "This form was sent from another site, so Seaway did not act on it.", status=403)


async def signed_in_or_redirect(request: Request) -> SignedIn | Response:
    """The signed-in session, or a redirect to sign in that comes back to this page."""
    ui = ui_of(request)
    signed_in = await ui.sessions.current(request)
    if signed_in is None:
        return RedirectResponse(ui.public_url.signin_url(request.url.path), status_code=303)
    return signed_in


@dataclass(frozen=True)
class PostedForm:
    """A form a signed-in visitor posted, and whether it carries their session's CSRF token."""

    signed_in: SignedIn
    fields: FormData
    csrf_ok: bool

    def field(self, name: str) -> str:
        return str(self.fields.get(name) or "")

    def values(self, name: str) -> tuple[str, ...]:
        """Every non-empty value of a field that may repeat (a multiple choice), in the order posted."""
        return tuple(text for value in self.fields.getlist(name) if (text := str(value).strip()))


async def posted_form(request: Request) -> PostedForm | Response:
    """The posted form of a signed-in visitor, or the redirect to sign in first."""
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    fields = await request.form()
    token = str(fields.get(CSRF_FIELD) or "") or None
    return PostedForm(signed_in, fields, ui_of(request).sessions.session_csrf_ok(signed_in, token))


async def entity_page(
    request: Request,
    signed_in: SignedIn,
    *,
    kind: str,
    ref: str,
    permission: Permission,
    load: Callable[[UnitOfWork, int, User], Awaitable[dict[str, Any]]],
    template: str,
    status: int = 200,
    **context: Any,
) -> Response:
    """A page about one `kind` (a project, release or deployment) named by `ref` (`Deployments-7` or `7`): a
    404 page for a malformed or unknown id and for one the visitor may not see (`permission` where it lies)
    alike; otherwise `template` with what `load` read for the visitor in one transaction."""
    try:
        number = parse_id(kind, ref)
        async with ui_of(request).services.store.reading() as uow:
            where = await _WHERE[kind](Scopes(uow.conn), number)
            require_visible(signed_in.user, permission, where, kind, number)
            view = await load(uow, number, signed_in.user)
            nav = await page_nav(uow, signed_in.user, request.url.path)
    except PermissionDenied as exc:
        return error_page(exc)
    except (InvalidInput, NotFound):
        # A malformed id names no page either: to a visitor all three are an unknown address.
        return error_page(NotFound(f'Seaway has no {kind} "{ref}".', entity=kind, id=ref), title=f"No such {kind}")
    return render(template, status=status, signed_in=signed_in, nav=nav, **context, **view)


async def page_nav(uow: UnitOfWork, user: User, path: str) -> Nav:
    """The navigation of a page at `path`, with the count of what waits for `user`, read in `uow`."""
    return nav_for(user, current=section_of(path), waiting=await waiting_count(uow, user))
