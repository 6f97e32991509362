"""`/links/{token}` for a change request's emailed links: the same page, the same rules as an interruption's.

`links.py` asks here first whether a token is a change request's. GET and HEAD only show the confirmation
page (and note when it was first opened); only a POST of its form decides, through `change_requests.decide`,
which consumes the link in the decision's own transaction. Cross-origin posts, a form whose token is not
the link's, and the rate limit on unknown tokens are checked by `links.py` before this module is asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from seaway.domain.actors import AuthMethod
from seaway.domain.change_requests import ChangeRequest, ChangeRequestLink, ChangeRequestState, change_link_status
from seaway.domain.change_requests import format_number as number_of
from seaway.domain.interruptions import MAX_NOTES_LENGTH, Channel, LinkNotUsable, LinkStatus, Result
from seaway.domain.users import User
from seaway.engine.change_requests import decide
from seaway.errors import Conflict, InvalidInput, NotResponsible
from seaway.security.tokens import hash_token, token_fingerprint
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.clients import actor_of, client_ip
from seaway.web.sessions import SignedIn
from seaway.web.ui.link_lookup import read_link
from seaway.web.ui.link_results import Explanation, confirm_page, result_page
from seaway.web.ui.link_views import LinkView
from seaway.web.ui.pages import Ui, message_page, page_for

log = logging.getLogger("seaway.web.links")


@dataclass(frozen=True)
class FoundRequestLink:
    link: ChangeRequestLink
    status: LinkStatus
    request: ChangeRequest
    recipient: User
    deployer: str | None

    @property
    def view(self) -> LinkView:
        request = self.request
        merged = request.policy
        clauses = "".join(f", {c.minimum} of them from {c.team}" for c in merged.quorum)
        return LinkView(
            decision="approve" if self.link.decision is Result.PROCEED else "reject",
            project=request.project,
            release=request.release_version,
            environment=request.environment,
            step=f"Change request {number_of(request.id)}",
            deployer=self.deployer or "someone",
            recipient=self.recipient.label,
            instructions_html=Markup("<p>{}</p>").format(
                f"Under {', '.join(merged.policies)}: the deployment starts once {merged.minimum} approvers have "
                f"approved{clauses}. Any one rejection stops it."
            ),
            changes=[f"Asked again: {line}" for line in request.changes],
            expires_at=self.link.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
            deployment_path=f"/deployments/Deployments-{request.deployment_id}",
        )


async def find_request_link(ui: Ui, token: str, request: Request, *, opened: bool) -> FoundRequestLink | None:
    """The change request link of `token`, or None when the token is not one (it may be an interruption's)."""
    found = await read_link(ui.services, token, lambda uow: uow.change_request_links, _read_found, opened=opened)
    if found is not None and opened:
        log.info("change request link %s opened from %s", token_fingerprint(found.link.token_hash), client_ip(request))
    return found


async def _read_found(uow: UnitOfWork, link: ChangeRequestLink, now: datetime) -> FoundRequestLink:
    found = await uow.change_requests.get(link.change_request_id)
    recipient = await uow.users.get(link.user_id)
    deployer = await uow.users.get(found.requested_by) if found.requested_by is not None else None
    task = await uow.tasks.get(found.task_id)
    status = change_link_status(link, now)
    if status is LinkStatus.USABLE and (not found.is_pending or task.cancel_requested or not recipient.active):
        status = LinkStatus.REVOKED
    return FoundRequestLink(link, status, found, recipient, deployer.label if deployer else None)


def _explain(found: FoundRequestLink, *, decided: bool = False) -> Explanation:
    request = found.request
    what = f"the deployment of {request.project} {request.release_version} to {request.environment}"
    number = number_of(request.id)
    if decided:
        if found.link.decision is Result.PROCEED:
            return Explanation("decided", "Approved", f"You approved {number}, {what}.")
        return Explanation("decided", "Rejected", f"You rejected {number}, {what}. The deployment stops.")
    if request.state in (ChangeRequestState.APPROVED, ChangeRequestState.REJECTED):
        title = "This link was already used" if found.status is LinkStatus.USED else "Already decided"
        return Explanation("already_decided", title, f"{number} for {what} was already {request.state}.")
    if found.status is LinkStatus.USED:
        return Explanation("already_decided", "This link was already used", f"You have decided {number} already.")
    if request.state is ChangeRequestState.CANCELED and "supersed" in request.reason:
        return Explanation("superseded", "Superseded", f"{number} for {what} was {request.reason}.")
    if request.state is ChangeRequestState.CANCELED:
        return Explanation("canceled", "The deployment was canceled", f"{number} for {what} was canceled.")
    if found.status is LinkStatus.EXPIRED:
        return Explanation("expired", "This link has expired", f"Sign in to Seaway to decide {number} there.")
    return Explanation("withdrawn", "This link was withdrawn", f"This link can no longer decide {number}.")


def request_link_page(ui: Ui, token: str, found: FoundRequestLink, signed_in: SignedIn | None) -> HTMLResponse:
    if found.status is not LinkStatus.USABLE:
        return result_page(ui, _explain(found), view=found.view)
    return _confirm(ui, token, found, signed_in)


def _confirm(
    ui: Ui, token: str, found: FoundRequestLink, signed_in: SignedIn | None, *, status: int = 200,
    error: str | None = None, note: str = "",
) -> HTMLResponse:  # fmt: skip
    return confirm_page(ui, token, found.view, signed_in, status=status, error=error, note=note)


async def decide_by_request_link(
    ui: Ui, request: Request, token: str, found: FoundRequestLink, signed_in: SignedIn | None, form_csrf: str | None,
    note: str,
) -> Response:  # fmt: skip
    if found.status is not LinkStatus.USABLE:
        return result_page(ui, _explain(found), view=found.view, post=True)
    if signed_in is not None and not ui.sessions.session_csrf_ok(signed_in, form_csrf):
        return message_page(
            "Refused",
            "This form is out of date for your sign-in. Open the link again and confirm from the new page.",
            status=403,
            signin_url=ui.public_url.signin_url(f"/links/{token}"),
        )
    note = note.strip()
    if found.link.decision is Result.ABORT and not note:
        return _confirm(ui, token, found, signed_in, status=422, error="A reason is required to reject.")
    if len(note) > MAX_NOTES_LENGTH:
        error = f"The note is longer than {MAX_NOTES_LENGTH} characters."
        return _confirm(ui, token, found, signed_in, status=422, error=error, note=note)
    own_session = signed_in is not None and signed_in.user.id == found.link.user_id
    auth = AuthMethod.LINK_AND_SESSION if own_session else AuthMethod.LINK
    services = ui.services
    assert found.request.id is not None
    try:
        async with services.store.transaction() as uow:
            await decide(
                uow,
                found.request.id,
                actor_of(request, found.recipient, Channel.EMAIL_LINK, auth),
                result=found.link.decision,
                notes=note,
                now=services.clock.now(),
                public_url=services.links.public_url,
                link_token_hash=hash_token(token),
            )
    except InvalidInput as exc:
        return _confirm(ui, token, found, signed_in, status=page_for(exc).status, error=exc.message, note=note)
    except NotResponsible as exc:
        log.warning("change request link %s refused: %s", token_fingerprint(hash_token(token)), exc.message)
        return message_page(
            "You can no longer decide this",
            f"{found.recipient.label} may not decide this change request: {exc.message}.",
            status=page_for(exc).status,
            signin_url=ui.public_url.signin_url(),
        )
    except (LinkNotUsable, Conflict):
        again = await find_request_link(ui, token, request, opened=False)
        assert again is not None
        return result_page(ui, _explain(again), view=again.view, post=True)
    log.info(
        "%s %s by %s through approval link %s from %s",
        number_of(found.request.id),
        "approved" if found.link.decision is Result.PROCEED else "rejected",
        found.recipient.username,
        token_fingerprint(hash_token(token)),
        client_ip(request),
    )
    return result_page(ui, _explain(found, decided=True), view=found.view, post=True)
