"""`GET/HEAD/POST /links/{token}`: the page behind an emailed Approve or Reject link (a change request's
links are answered by `change_request_links.py`, behind the same checks).

Mail scanners (Safe Links, Mimecast, Proofpoint) fetch every link in an email, and some run its
JavaScript, so:
- GET and HEAD never decide anything. They look the token up by its hash, note when the page was first
  opened (telemetry, never a signal), and show a confirmation page: what is being decided and one form.
- Only a POST of that form decides, once: `submit_decision` consumes the link and makes the decision in
  one transaction. The link's own decision is used; an Approve link cannot reject.
- The pages contain no script at all (the content security policy forbids any), so nothing submits the
  form but a person's click.

The form is protected against cross-site forgery by the single-use token itself, repeated in the body,
by refusing POSTs from another origin and, when the browser is signed in, by the session's CSRF token.
Failed lookups are limited per client IP; every failed, expired and replayed attempt is logged with the
token's fingerprint, never the token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from seaway.domain.actors import AuthMethod
from seaway.domain.interruptions import MAX_NOTES_LENGTH, ApprovalLink, Channel, LinkNotUsable, LinkStatus, Result
from seaway.domain.users import User
from seaway.engine.decisions import link_status_of, submit_decision
from seaway.errors import (
    Conflict,
    ContentChanged,
    DeploymentCanceled,
    InterruptionAlreadyDecided,
    InterruptionCanceled,
    InvalidInput,
    NotResponsible,
)
from seaway.security.tokens import hash_token, token_fingerprint, tokens_equal
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.clients import actor_of, client_ip
from seaway.web.sessions import CSRF_FIELD, SignedIn
from seaway.web.ui.change_request_links import decide_by_request_link, find_request_link, request_link_page
from seaway.web.ui.decision_pages import DecisionPage, read_decision_page
from seaway.web.ui.link_lookup import read_link
from seaway.web.ui.link_results import confirm_page, explain, result_page
from seaway.web.ui.link_views import LinkView
from seaway.web.ui.pages import Ui, message_page, page_for, refused_from_other_site, ui_of

log = logging.getLogger("seaway.web.links")

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Found:
    link: ApprovalLink
    status: LinkStatus
    facts: DecisionPage
    recipient: User

    @property
    def view(self) -> LinkView:
        facts = self.facts
        return LinkView(
            decision="approve" if self.link.decision is Result.PROCEED else "reject",
            project=facts.project,
            release=facts.release,
            environment=facts.environment,
            step=facts.step,
            deployer=facts.deployer or "someone",
            recipient=self.recipient.label,
            instructions_html=facts.instructions_html,
            changes=list(facts.changes),
            expires_at=self.link.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
            deployment_path=f"/deployments/{facts.deployment_id}",
        )

    @property
    def requires_sign_in(self) -> bool:
        return self.facts.links_require_sign_in


@router.api_route("/links/{token}", methods=["GET", "HEAD"])
async def link_page(request: Request, token: str) -> Response:
    ui = ui_of(request)
    ip = client_ip(request)
    if ui.link_failures.blocked(_ip_key(ip)):
        return _too_many(ip)
    change_link = await find_request_link(ui, token, request, opened=True)
    if change_link is not None:
        return request_link_page(ui, token, change_link, await ui.sessions.current(request))
    found = await _usable_link(ui, token, request, ip, post=False)
    if isinstance(found, HTMLResponse):
        return found
    signed_in = await ui.sessions.current(request)
    return _confirm(ui, request, token, found, signed_in)


@router.post("/links/{token}")
async def decide(request: Request, token: str) -> Response:
    ui = ui_of(request)
    ip = client_ip(request)
    if ui.public_url.is_cross_origin(request):
        log.warning("approval link POST refused: cross-origin (%s) from %s", request.headers.get("origin"), ip)
        return refused_from_other_site()
    if ui.link_failures.blocked(_ip_key(ip)):
        return _too_many(ip)
    form = await request.form()
    posted_token, note = _text(form.get("token")), _text(form.get("note")) or ""
    if posted_token is None or not tokens_equal(posted_token, token):
        log.warning("approval link POST refused: the form's token does not match the link, from %s", ip)
        ui.link_failures.failed(_ip_key(ip))
        return message_page(
            "Refused",
            "This form did not come from this link's page. Open the link from your email again.",
            status=403,
            signin_url=ui.public_url.signin_url(),
        )
    change_link = await find_request_link(ui, token, request, opened=False)
    if change_link is not None:
        signed_in = await ui.sessions.current(request)
        csrf = _text(form.get(CSRF_FIELD))
        return await decide_by_request_link(ui, request, token, change_link, signed_in, csrf, note)
    found = await _usable_link(ui, token, request, ip, post=True)
    if isinstance(found, HTMLResponse):
        return found

    signed_in = await ui.sessions.current(request)
    refusal = _refuse_session(ui, token, found, signed_in, _text(form.get(CSRF_FIELD)))
    if refusal is not None:
        return refusal
    note = note.strip()
    if found.link.decision is Result.ABORT and not note:
        return _confirm(ui, request, token, found, signed_in, status=422, error="A reason is required to reject.")
    if len(note) > MAX_NOTES_LENGTH:
        error = f"The note is longer than {MAX_NOTES_LENGTH} characters."
        return _confirm(ui, request, token, found, signed_in, status=422, error=error, note=note)
    return await _submit(ui, request, token, found, signed_in, note)


async def _submit(
    ui: Ui, request: Request, token: str, found: Found, signed_in: SignedIn | None, note: str
) -> Response:
    services, ip, token_hash = ui.services, client_ip(request), hash_token(token)
    now = services.clock.now()
    try:
        # One transaction: the link's single use, the decision, the resume, the audit event and the emails.
        async with services.store.transaction() as uow:
            decided = await submit_decision(
                uow,
                found.link.interruption_id,
                actor_of(request, found.recipient, Channel.EMAIL_LINK, _auth_method(found, signed_in)),
                result=found.link.decision.value,
                notes=note,
                now=now,
                link_token_hash=token_hash,
            )
            facts = await read_decision_page(uow, found.link.interruption_id)
    except InvalidInput as exc:
        return _confirm(ui, request, token, found, signed_in, status=page_for(exc).status, error=exc.message, note=note)
    except NotResponsible as exc:
        log.warning("approval link %s refused: %s", token_fingerprint(token_hash), exc.message)
        return message_page(
            "You can no longer decide this",
            f"{found.recipient.label} is no longer responsible for this approval: {exc.message}.",
            status=page_for(exc).status,
            signin_url=ui.public_url.signin_url(),
        )
    except (
        LinkNotUsable,
        InterruptionAlreadyDecided,
        InterruptionCanceled,
        DeploymentCanceled,
        ContentChanged,
        Conflict,
    ):
        # Something else got there between the page's check and this decision: say what, as a GET would.
        again = await _find(ui, token, request, opened=False)
        if again is None:  # pragma: no cover - links are never deleted while their interruption exists
            return _unknown(ui, token, ip)
        return _unusable(ui, again, token, ip, post=True)
    log.info(
        "interruption %s %s by %s through approval link %s from %s",
        facts.id,
        "approved" if decided.result is Result.PROCEED else "rejected",
        found.recipient.username,
        token_fingerprint(token_hash),
        ip,
    )
    return result_page(ui, explain("decided", facts), view=found.view, post=True)


async def _find(ui: Ui, token: str, request: Request, *, opened: bool) -> Found | None:
    """The link, why it can or cannot decide, and the facts of its interruption; None for an unknown token."""
    found = await read_link(ui.services, token, lambda uow: uow.approval_links, _read_found, opened=opened)
    if found is not None and opened:
        log.info(
            "approval link %s opened from %s (%s)",
            token_fingerprint(found.link.token_hash),
            client_ip(request),
            request.headers.get("user-agent", "no user agent")[:200],
        )
    return found


async def _read_found(uow: UnitOfWork, link: ApprovalLink, now: datetime) -> Found:
    status = await link_status_of(uow, link, now)
    facts = await read_decision_page(uow, link.interruption_id)
    recipient = await uow.users.get(link.user_id)
    return Found(link, status, facts, recipient)


def _auth_method(found: Found, signed_in: SignedIn | None) -> AuthMethod:
    """The audit's evidence: the link alone, or the link in a browser signed in as its own user."""
    if signed_in is not None and signed_in.user.id == found.link.user_id:
        return AuthMethod.LINK_AND_SESSION
    return AuthMethod.LINK


def _refuse_session(
    ui: Ui, token: str, found: Found, signed_in: SignedIn | None, csrf_token: str | None
) -> Response | None:
    """With `links_require_sign_in`, only the link's own user, signed in, may decide; a signed-in browser
    must also send its session's CSRF token."""
    signin_url = ui.public_url.signin_url(f"/links/{token}")
    if signed_in is not None and not ui.sessions.session_csrf_ok(signed_in, csrf_token):
        return message_page(
            "Refused",
            "This form is out of date for your sign-in. Open the link again and confirm from the new page.",
            status=403,
            signin_url=signin_url,
        )
    if not found.requires_sign_in:
        return None
    if signed_in is None:
        return message_page(
            "Sign in to decide",
            f"This approval must be decided by {found.recipient.label} signed in to Seaway: anyone who can read "
            "an email could use its links.",
            status=401,
            signin_url=signin_url,
        )
    if signed_in.user.id != found.link.user_id:
        log.warning(
            "approval link %s refused: signed in as %r, the link is for %r",
            token_fingerprint(found.link.token_hash),
            signed_in.user.username,
            found.recipient.username,
        )
        return message_page(
            "This link is not yours",
            f"This link was sent to {found.recipient.label}; you are signed in as {signed_in.user.label}. "
            f"Only {found.recipient.label} can decide with it.",
            status=403,
            signin_url=signin_url,
        )
    return None


def _confirm(
    ui: Ui,
    request: Request,
    token: str,
    found: Found,
    signed_in: SignedIn | None,
    *,
    status: int = 200,
    error: str | None = None,
    note: str = "",
) -> HTMLResponse:
    sign_in = None
    if found.requires_sign_in and signed_in is None:
        sign_in = "required"
    elif found.requires_sign_in and signed_in is not None and signed_in.user.id != found.link.user_id:
        sign_in = "wrong_user"
    return confirm_page(ui, token, found.view, signed_in, sign_in=sign_in, status=status, error=error, note=note)


async def _usable_link(ui: Ui, token: str, request: Request, ip: str | None, *, post: bool) -> Found | HTMLResponse:
    """The link that may decide now, or the page that explains why this token cannot (counted as a failure
    when the token is unknown)."""
    found = await _find(ui, token, request, opened=not post)
    if found is None:
        return _unknown(ui, token, ip)
    if found.status is not LinkStatus.USABLE:
        return _unusable(ui, found, token, ip, post=post)
    return found


def _unknown(ui: Ui, token: str, ip: str | None) -> HTMLResponse:
    ui.link_failures.failed(_ip_key(ip))
    log.warning("approval link lookup failed: unknown token %s from %s", _fingerprint_of(token), ip)
    return result_page(ui, explain("unknown", None), view=None)


def _unusable(ui: Ui, found: Found, token: str, ip: str | None, *, post: bool) -> HTMLResponse:
    explanation = explain(found.status, found.facts)
    attempt = {LinkStatus.USED: "replayed", LinkStatus.EXPIRED: "expired"}.get(found.status, found.status.value)
    log.warning(
        "%s approval link %s %s from %s (%s)",
        attempt,
        _fingerprint_of(token),
        "posted" if post else "opened",
        ip,
        explanation.kind,
    )
    return result_page(ui, explanation, view=found.view, post=post)


def _too_many(ip: str | None) -> HTMLResponse:
    log.warning("approval link lookups refused: too many failures from %s", ip)
    return message_page(
        "Too many attempts",
        "Too many links that do not exist were tried from your address. Wait a minute and try again.",
        status=429,
    )


def _fingerprint_of(token: str) -> str:
    return token_fingerprint(hash_token(token))


def _ip_key(ip: str | None) -> str:
    return ip or "unknown"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
