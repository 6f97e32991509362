"""Emailing a change request's approvers their personal Approve and Reject links, and checking a link that
decides: the same machinery and rules as an interruption's links (approval-link-security.md).

The links go out through a work item (`change-request-links:<n>`) enqueued with the request, so the
deployment's own transaction stays small and the emails are sent once, durably, even if the node dies.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.approval_timeouts import link_expiry
from seaway.domain.change_requests import (
    ChangeRequest,
    ChangeRequestLink,
    ChangeRequestState,
    change_link_status,
    format_number,
)
from seaway.domain.interruptions import LinkNotUsable, LinkStatus, Result, link_for_decision
from seaway.domain.policies import eligible
from seaway.domain.users import User
from seaway.engine.audit_trail import event_of
from seaway.engine.clock import Clock
from seaway.engine.deployer_notices import DecidedGate, send_decision_receipt
from seaway.engine.mail import queue_email
from seaway.engine.orchestrator import FinishItem
from seaway.errors import InvalidInput
from seaway.notify.addressing import SEAWAY, Person, about_change_request, deployment_page
from seaway.notify.messages import (
    ApprovalRequest,
    DecisionNotice,
    approval_request_email,
    decision_email,
)
from seaway.security.tokens import hash_token, new_token, token_fingerprint
from seaway.steps.manual_intervention import LinkSettings
from seaway.store.queue import WorkItem
from seaway.store.scopes import Where
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("seaway.change_request_links")

CHANGE_REQUEST_LINKS = "change-request-links"


def links_key(number: int) -> str:
    return f"{CHANGE_REQUEST_LINKS}:{number}"


def deployment_url(public_url: str, request: ChangeRequest) -> str:
    return deployment_page(public_url, request.deployment_id)


def _instructions(request: ChangeRequest) -> str:
    merged = request.policy
    clauses = "".join(f", {c.minimum} of them from {c.team}" for c in merged.quorum)
    text = (
        f"Change request {format_number(request.id)} under {', '.join(merged.policies)}: the deployment starts "
        f"once {merged.minimum} approvers have approved{clauses}. Any one rejection stops it."
    )
    if request.changes:
        text += "\n\nAsked again: the approvals given before are void because " + "; ".join(request.changes) + "."
    if request.escalated_teams:
        text += f"\n\nNobody decided in time, so {', '.join(request.escalated_teams)} are asked too."
    return text


@dataclass(frozen=True)
class PersonalLinks:
    approve_url: str
    reject_url: str
    expires_at: datetime
    fingerprints: list[str]  # approve, reject: what the audit trail records of them


async def issue_links(
    uow: UnitOfWork, request: ChangeRequest, user: User, links: LinkSettings, now: datetime
) -> PersonalLinks:
    """One approver's new Approve and Reject links; only their hashes are stored. They expire after the
    links' lifetime and never after the request's earliest reject timeout."""
    assert request.id is not None and user.id is not None
    expires_at = link_expiry(request.policy.timeouts, request.created_at, now, links.lifetime)
    tokens = {Result.PROCEED: new_token(), Result.ABORT: new_token()}
    await uow.change_request_links.add_many(
        [
            ChangeRequestLink(
                change_request_id=request.id,
                user_id=user.id,
                decision=decision,
                token_hash=hash_token(token),
                created_at=now,
                expires_at=expires_at,
            )
            for decision, token in tokens.items()
        ]
    )
    public_url = links.public_url.rstrip("/")
    return PersonalLinks(
        approve_url=f"{public_url}/links/{tokens[Result.PROCEED]}",
        reject_url=f"{public_url}/links/{tokens[Result.ABORT]}",
        expires_at=expires_at,
        fingerprints=[token_fingerprint(hash_token(t)) for t in tokens.values()],
    )


async def approvers_to_email(
    uow: UnitOfWork, request: ChangeRequest, only: Collection[str] | None = None
) -> list[User]:
    """The eligible approvers (of `only`'s usernames, lower case, when given) who are active and have an address."""
    teams = await uow.teams.list()
    wanted = eligible(request.effective_policy, teams, request.requested_by_username)
    if only is not None:
        wanted &= set(only)
    return [u for u in await uow.users.list() if u.active and u.email and u.username.lower() in wanted]


async def send_links(
    uow: UnitOfWork, request: ChangeRequest, links: LinkSettings, now: datetime, *, only: Collection[str] | None = None
) -> list[User]:
    """Email every eligible approver with an address (of `only`, when given) their own two links; returns who
    was emailed."""
    assert request.id is not None
    recipients = await approvers_to_email(uow, request, only)
    deployer = await uow.users.get(request.requested_by) if request.requested_by is not None else None
    release = await uow.releases.find_by_version(
        (await uow.deployments.get(request.deployment_id)).project_id, request.release_version
    )
    about = about_change_request(request, deployment_url(links.public_url, request))
    fingerprints: dict[str, list[str]] = {}
    for user in recipients:
        assert user.id is not None and user.email is not None
        issued = await issue_links(uow, request, user, links, now)
        email = approval_request_email(
            ApprovalRequest(
                about=about,
                recipient=Person.of(user),
                step=f"Change request {format_number(request.id)}",
                instructions_markdown=_instructions(request),
                deployer=Person.of(deployer) if deployer else SEAWAY,
                approve_url=issued.approve_url,
                reject_url=issued.reject_url,
                expires_at=issued.expires_at,
                release_notes=release.notes if release else "",
            )
        )
        # Keyed by what is asked: a request put again after its policy changed is emailed again.
        key = f"change-request-approval:{request.id}:{user.id}:{request.content_hash[:16]}"
        await queue_email(uow, email, key, now=now)
        fingerprints[user.username] = issued.fingerprints
    # username → token fingerprints (approve, reject)
    await record_by_seaway(uow, now, "links_sent", request, {"links": fingerprints})
    return recipients


async def record_by_seaway(
    uow: UnitOfWork, now: datetime, what: str, request: ChangeRequest, details: Mapping[str, object]
) -> None:
    """Audit what Seaway itself did to a change request, as the event `change_request.<what>`."""
    where = Where(project=request.project, environment=request.environment)
    await uow.audit.record(event_of(None, now, f"change_request.{what}", format_number(request.id), details, where))


def notices_key(number: int) -> str:
    return f"{CHANGE_REQUEST_LINKS}:{number}:ended"


async def tell_approvers_it_ended(uow: UnitOfWork, request: ChangeRequest, public_url: str, now: datetime) -> None:
    """Everyone who was sent links for a request that ended without them (superseded, canceled, timed out) is told
    why."""
    assert request.id is not None
    emailed = {link.user_id for link in await uow.change_request_links.list_for(request.id)}
    about = about_change_request(request, deployment_url(public_url, request))
    for user_id in sorted(emailed):
        user = await uow.users.get(user_id)
        if not user.email or not user.active:
            continue
        notice = DecisionNotice(
            about=about,
            recipient=Person.of(user),
            decided_by=SEAWAY,
            decided_at=now,
            step=f"change request {format_number(request.id)}",
            # A request that timed out with `action: reject` was rejected, by Seaway; the rest were canceled.
            outcome="rejected" if request.state is ChangeRequestState.REJECTED else "canceled",
            note=request.reason,
        )
        try:
            email = decision_email(notice)
        except InvalidInput as exc:
            log.warning("not telling %s that %s ended: %s", user.username, format_number(request.id), exc)
            continue
        await queue_email(uow, email, f"change-request-ended:{request.id}:{user_id}", now=now)


class ChangeRequestLinkSender:
    """The `change-request-links` work item handler: the approvers' links of a request still pending, and
    the notice to them that one ended before it was decided."""

    def __init__(self, store: Store, clock: Clock, links: LinkSettings) -> None:
        self.store = store
        self.clock = clock
        self.links = links

    async def __call__(self, item: WorkItem, lease: object, finish: FinishItem) -> bool:
        number = int(item.payload["change_request"])
        async with self.store.transaction() as uow:
            request = await uow.change_requests.get(number)
            now = self.clock.now()
            if item.payload.get("ended"):
                await tell_approvers_it_ended(uow, request, self.links.public_url, now)
            elif request.is_pending:
                sent = await send_links(uow, request, self.links, now)
                names = ", ".join(u.label for u in sent) or "nobody (no approver has an email address)"
                line = LogLine(now, "info", f"Emailed approve and reject links to {names}")
                await uow.tasks.append_log(request.task_id, [line])
            await finish(uow)
        return True


async def check_link(
    uow: UnitOfWork, token_hash: str, request: ChangeRequest, user: User, decision: Result, now: datetime
) -> ChangeRequestLink:
    """The link that makes this decision for this person on this request, still usable; LinkNotUsable if not."""
    link = link_for_decision(await uow.change_request_links.find_by_hash(token_hash), request.id, user, decision)
    status = change_link_status(link, now)
    if status is not LinkStatus.USABLE:
        raise LinkNotUsable(f"the link is {status.value}", status)
    if not await uow.change_request_links.consume(token_hash, now):
        raise LinkNotUsable("the link was used or revoked a moment ago", LinkStatus.USED)
    return link


def decided_request(request: ChangeRequest, result: Result, note: str, url: str, step: str) -> DecidedGate:
    """What the deployer's notice and the decider's receipt say of a decision on `request`."""
    return DecidedGate(
        about=about_change_request(request, url),
        step=step,
        outcome="approved" if result is Result.PROCEED else "rejected",
        note=note,
    )


async def send_receipt(
    uow: UnitOfWork, request: ChangeRequest, user: User, result: Result, note: str, channel: str, ip: str | None,
    now: datetime, public_url: str,
) -> None:  # fmt: skip
    """The decider's own copy, so a decision made with a forwarded link or a stolen key is noticed at once."""
    step = f"change request {format_number(request.id)}"
    gate = decided_request(request, result, note, deployment_url(public_url, request), step)
    await send_decision_receipt(uow, user, channel, ip, now, gate, f"change-request-receipt:{request.id}:{user.id}")
