"""Seaway's browser pages: the approval-link confirmation pages, sign-in, and read-only deployment pages.

`install(app, services)` mounts them at the site root (not under /api/v1), serves the stylesheet from
the app itself (pages load no third-party asset), adds the security headers and hides link tokens
from the access log. The pages are server-rendered HTML with no JavaScript at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.staticfiles import StaticFiles

from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission, authorize
from seaway.errors import InvalidInput, NotFound, PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.rate_limit import RateLimiter
from seaway.web.security_headers import SecurityHeaders
from seaway.web.sessions import PublicUrl, Sessions, SignedIn

if TYPE_CHECKING:
    from seaway.bootstrap import Services

_templates = Environment(
    loader=PackageLoader("seaway.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


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
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status)


def message_page(
    title: str, message: str, *, status: int, signin_url: str | None = None, detail: str | None = None
) -> HTMLResponse:
    """A page that only explains something: refused, too many attempts, and the like."""
    return render("message.html", status=status, title=title, message=message, detail=detail, signin_url=signin_url)


async def signed_in_or_redirect(request: Request) -> SignedIn | Response:
    """The signed-in session, or a redirect to sign in that comes back to this page."""
    ui = ui_of(request)
    signed_in = await ui.sessions.current(request)
    if signed_in is None:
        return RedirectResponse(ui.public_url.signin_url(request.url.path), status_code=303)
    return signed_in


async def entity_page(
    request: Request,
    signed_in: SignedIn,
    *,
    kind: str,
    ref: str,
    permission: Permission,
    load: Callable[[UnitOfWork, int], Awaitable[dict[str, Any]]],
    template: str,
    status: int = 200,
    **context: Any,
) -> Response:
    """A page about one `kind` named by `ref` (`Deployments-7` or `7`): 403 without `permission`, a 404
    page for a malformed or unknown id, otherwise `template` with what `load` read in one transaction."""
    try:
        authorize(signed_in.user, permission)
        number = parse_id(kind, ref)
        async with ui_of(request).services.store.reading() as uow:
            view = await load(uow, number)
    except PermissionDenied as exc:
        return message_page("Not allowed", exc.message, status=403)
    except (InvalidInput, NotFound):
        return message_page(f"No such {kind}", f'Seaway has no {kind} "{ref}".', status=404)
    return render(template, status=status, signed_in=signed_in, **context, **view)


def install(app: FastAPI, services: Services) -> None:
    # Imported here: the page modules import this package's helpers above.
    from seaway.web.ui.decisions import router as decisions_router
    from seaway.web.ui.deployments import router as deployments_router
    from seaway.web.ui.link_tokens import hide_tokens_in_access_log
    from seaway.web.ui.links import router as links_router
    from seaway.web.ui.projects import router as projects_router
    from seaway.web.ui.signin import router as signin_router

    settings = services.settings
    public_url = PublicUrl(settings.public_url)
    app.state.ui = Ui(
        services=services,
        public_url=public_url,
        sessions=Sessions(services.store, services.clock, services.store.cipher, public_url, settings.session_hours),
        link_failures=RateLimiter(services.clock, limit=settings.link_failures_per_minute),
        signin_failures=RateLimiter(services.clock, limit=settings.signin_failures_per_minute),
    )
    app.add_middleware(SecurityHeaders)
    app.include_router(links_router)
    app.include_router(signin_router)
    app.include_router(deployments_router)
    app.include_router(decisions_router)
    app.include_router(projects_router)
    app.mount("/static", StaticFiles(packages=[("seaway.web", "static")]), name="static")
    hide_tokens_in_access_log()
