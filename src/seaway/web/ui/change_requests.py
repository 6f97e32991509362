"""`GET /change-requests/{SEA-n}`: a change request's decision page; `POST /change-requests/{SEA-n}/decide`:
approve or reject it signed in.

The page shows the merged policy the request recorded, what the deployment waits for, who decided so far
(when, through which channel, with which note), who else may approve, and what changed when approvals were
voided. Seeing it needs `interruption.view` where its deployment runs (a 404 otherwise, as the API); deciding
is `engine.change_requests.decide` with the channel `ui` and the evidence `session`, refused as the API
refuses (not an approver, the blocked deployer, already decided). The form carries the session's CSRF token
and must come from this site; after a decision the browser goes back to the page it came from (this page,
the deployment's or the release's), so a reload does not post again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import Actor
from seaway.domain.change_requests import ChangeRequestDecision, format_number, parse_number
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Result
from seaway.domain.permissions import Permission, allows
from seaway.domain.policies import MergedPolicy
from seaway.domain.users import User
from seaway.engine.change_requests import decide, progress_of
from seaway.errors import Conflict, InvalidInput, NotFound, SeawayError
from seaway.store.change_requests import unknown
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.sessions import SignedIn
from seaway.web.ui.change_request_cards import ChangeRequestCard, card_of
from seaway.web.ui.forms import submit
from seaway.web.ui.pages import (
    PostedForm,
    error_page,
    from_this_site,
    page_for,
    page_nav,
    render,
    signed_in_or_redirect,
    ui_of,
)

router = APIRouter(include_in_schema=False)

# Where a decision made from a card may send the browser back to: pages of this site that show the card.
_BACK_TO = ("/deployments/", "/releases/", "/change-requests/")


@dataclass(frozen=True)
class ChangeRequestPage:
    card: ChangeRequestCard
    title: str
    release: str  # the project and the release, as the breadcrumb names it
    policy: MergedPolicy
    requested_by: str
    created_at: str
    decided_at: str | None
    decisions: list[ChangeRequestDecision]
    others: tuple[str, ...]  # eligible approvers who have not decided yet
    changes: tuple[str, ...]  # what changed when its approvals were last voided
    deployment_id: str
    deployment_url: str
    release_url: str


async def read_change_request_page(uow: UnitOfWork, number: int, viewer: User) -> ChangeRequestPage:
    """The page of SEA-`number` for `viewer`; NotFound as well when they may not see it."""
    request = await uow.change_requests.get(number)
    if not allows(viewer, Permission.INTERRUPTION_VIEW, request.project, request.environment):
        raise unknown(number)
    progress = await progress_of(uow, request)
    deployment = await uow.deployments.get(request.deployment_id)
    decided = {d.username.lower() for d in progress.decisions}
    deployment_id = format_id("deployment", request.deployment_id)
    return ChangeRequestPage(
        card=card_of(progress, viewer),
        title=f"{request.project} {request.release_version} to {request.environment}",
        release=f"{request.project} {request.release_version}",
        policy=request.policy,
        requested_by=request.requested_by_username or "Seaway",
        created_at=request.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        decided_at=request.decided_at.strftime("%Y-%m-%d %H:%M:%S UTC") if request.decided_at else None,
        decisions=progress.decisions,
        others=tuple(sorted(progress.eligible - decided)) if request.is_pending else (),
        changes=request.changes,
        deployment_id=deployment_id,
        deployment_url=f"/deployments/{deployment_id}",
        release_url=f"/releases/{format_id('release', deployment.release_id)}",
    )


@router.get("/change-requests/{ref}")
async def change_request_page(request: Request, ref: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await render_change_request(request, signed_in, ref)


async def render_change_request(
    request: Request, signed_in: SignedIn, ref: str, *, status: int = 200, error: str | None = None, note: str = ""
) -> Response:
    try:
        number = parse_number(ref)
        async with ui_of(request).services.store.reading() as uow:
            page = await read_change_request_page(uow, number, signed_in.user)
            nav = await page_nav(uow, signed_in.user, "/approvals")
    except (InvalidInput, NotFound):
        return error_page(NotFound(f'Seaway has no change request "{ref}".'), title="No such change request")
    context: dict[str, Any] = {"page": page, "error": error, "note": note, "back": page.card.url}
    return render("change_request.html", status=status, signed_in=signed_in, nav=nav, **context)


@router.post("/change-requests/{ref}/decide")
@from_this_site
async def decide_change_request(request: Request, ref: str) -> Response:
    async def work(form: PostedForm, actor: Actor) -> Response:
        ui = ui_of(request)
        result, number = _result(form.field("result")), parse_number(ref)
        async with ui.services.store.transaction() as uow:
            found = await uow.change_requests.get(number)
            if not allows(actor.user, Permission.INTERRUPTION_VIEW, found.project, found.environment):
                raise unknown(number)
            await decide(
                uow, number, actor, result=result, notes=form.field("note"), now=ui.services.clock.now(),
                public_url=ui.services.links.public_url,
            )  # fmt: skip
        return RedirectResponse(ui.public_url.url(_back(form.field("back"), format_number(number))), status_code=303)

    async def refused(form: PostedForm, exc: SeawayError) -> Response:
        # Not an approver, or the deployer the policy blocks: explained with the note kept. A conflict (decided
        # meanwhile, or its deployment ended) leaves no decision to retry with the same note.
        note = "" if isinstance(exc, Conflict) else form.field("note")
        status = page_for(exc).status
        return await render_change_request(request, form.signed_in, ref, status=status, error=exc.message, note=note)

    return await submit(request, work, refused)


def _result(value: str) -> Result:
    try:
        return Result(value)
    except ValueError:
        raise InvalidInput("choose Approve or Reject", field="result") from None


def _back(path: str, number: str) -> str:
    """The page the form came from, when it is one that shows the request; otherwise the request's page."""
    if path.startswith(_BACK_TO) and "//" not in path and "\\" not in path and len(path) < 200:
        return path
    return f"/change-requests/{number}"
