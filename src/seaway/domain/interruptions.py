"""Interruptions: a deployment waiting for a person to decide, and the emailed links that can decide it.

An interruption is one pending decision of a task (a manual-intervention step now; guided failure and
policy approvals share the record later). Only a responsible user may decide it, and exactly one
decision wins. An approval link is one recipient's personal Approve or Reject URL for one interruption,
bound to the content that was asked about; Seaway keeps only the hash of its token.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission, allows, authorize
from seaway.domain.users import Team, User
from seaway.errors import Conflict, InvalidInput, NotResponsible, PermissionDenied, SelfApprovalRefused

MAX_NOTES_LENGTH = 4000


class InterruptionKind(StrEnum):
    MANUAL_INTERVENTION = "manual-intervention"
    GUIDED_FAILURE = "guided-failure"


class InterruptionState(StrEnum):
    PENDING = "pending"
    RESOLVED = "resolved"  # decided by a person
    CANCELED = "canceled"  # ended without a decision (the deployment was canceled)


class Result(StrEnum):
    PROCEED = "proceed"
    ABORT = "abort"


class Outcome(StrEnum):
    """What later steps read as `Manual.Outcome`."""

    APPROVED = "Approved"
    REJECTED = "Rejected"
    CANCELED = "Canceled"


class Channel(StrEnum):
    EMAIL_LINK = "email-link"
    UI = "ui"
    API = "api"
    CLI = "cli"


@dataclass(frozen=True)
class Interruption:
    kind: InterruptionKind
    task_id: int
    step_index: int
    step_name: str
    deployment_id: int
    project_id: int
    release_id: int
    environment: str
    created_at: datetime
    content_hash: str  # what the decision is about: the release content when the request was made
    project_name: str = ""
    release_version: str = ""
    deployment_url: str = ""  # built from the configured public URL when the request was made
    title: str = ""
    instructions: str = ""  # Markdown, variables already substituted
    responsible_teams: tuple[str, ...] = ()  # empty: anyone who may deploy to the environment
    links_require_sign_in: bool = False
    requested_by: int | None = None  # the deployer; None for a deployment started by Seaway itself
    allow_self_approval: bool = False
    state: InterruptionState = InterruptionState.PENDING
    taken_by: int | None = None
    taken_at: datetime | None = None
    result: Result | None = None
    notes: str = ""
    decided_by: int | None = None
    decided_at: datetime | None = None
    channel: str | None = None
    id: int | None = None

    @property
    def is_pending(self) -> bool:
        return self.state is InterruptionState.PENDING

    @property
    def outcome(self) -> Outcome | None:
        if self.state is InterruptionState.CANCELED:
            return Outcome.CANCELED
        if self.result is Result.PROCEED:
            return Outcome.APPROVED
        if self.result is Result.ABORT:
            return Outcome.REJECTED
        return None


def dedupe_key(kind: InterruptionKind, task_id: int, step_index: int) -> str:
    """One interruption per kind, task and step: a step re-run after a crash finds the one it made."""
    return f"{kind}:{task_id}:{step_index}"


# -- who decides ------------------------------------------------------------------------------------


def _team_members(responsible_teams: Iterable[str], teams: Iterable[Team]) -> frozenset[str]:
    wanted = {name.lower() for name in responsible_teams}
    return frozenset(member.lower() for team in teams if team.name.lower() in wanted for member in team.members)


def check_may_decide(interruption: Interruption, user: User, teams: Sequence[Team], project: str | None) -> None:
    """Raise NotResponsible unless `user` may decide now (checked at decision time, never at send time).

    With responsible teams, a user must be a member of one of them as the teams are *now* (someone who left
    the team since the email went out can no longer decide) and hold `interruption.submit` there. Without,
    anyone who may deploy to the environment and submit there may decide. Either way, a user who holds
    `interruption.decide` for the gate's project and environment (the `approver` role) may decide it, named
    on the step or not. Nobody decides their own deployment's gate unless the step allows it.
    """
    public_id = format_id("interruption", interruption.id)
    if not allows(user, Permission.INTERRUPTION_DECIDE, project, interruption.environment):
        try:
            authorize(user, Permission.INTERRUPTION_SUBMIT, project, interruption.environment)
            if not interruption.responsible_teams:
                authorize(user, Permission.DEPLOYMENT_CREATE, project, interruption.environment)
        except PermissionDenied as exc:
            raise NotResponsible(exc.message, entity="interruption", id=public_id) from exc
        if interruption.responsible_teams and user.username.lower() not in _team_members(
            interruption.responsible_teams, teams
        ):
            teams_text = ", ".join(f'"{t}"' for t in interruption.responsible_teams)
            raise NotResponsible(
                f'user "{user.username}" is not in the responsible teams ({teams_text})',
                entity="interruption",
                id=public_id,
            )
    if is_self_approval(interruption, user):
        raise SelfApprovalRefused(
            f'user "{user.username}" started this deployment and may not decide its own approval; another '
            "responsible person must (the step can set allow_self_approval: true), or cancel the deployment",
            entity="interruption",
            id=public_id,
        )


def is_self_approval(interruption: Interruption, user: User) -> bool:
    """PreventSelfApproval: the person who asked for the deployment does not also sign it off."""
    return (
        not interruption.allow_self_approval
        and interruption.requested_by is not None
        and interruption.requested_by == user.id
    )


def may_decide(interruption: Interruption, user: User, teams: Sequence[Team], project: str | None) -> bool:
    try:
        check_may_decide(interruption, user, teams, project)
    except PermissionDenied:
        return False
    return True


def responsible_users(interruption: Interruption, teams: Sequence[Team], users: Sequence[User]) -> list[User]:
    """The users asked to decide a gate (emailed its links), in the order given: the members of its teams who
    may decide it, or, when no team is named, everyone who may decide it by their grants. Someone who may
    decide only through `interruption.decide` is not asked when the step names teams (it names whom to ask).
    Never the deployer unless the step allows self-approval, never a disabled user."""
    members = _team_members(interruption.responsible_teams, teams) if interruption.responsible_teams else None
    return [
        u
        for u in users
        if (members is None or u.username.lower() in members)
        and may_decide(interruption, u, teams, interruption.project_name)
    ]


# -- deciding -------------------------------------------------------------------------------------


def parse_result(value: object) -> Result:
    try:
        return Result(str(value))
    except ValueError:
        raise InvalidInput(f'result must be "proceed" or "abort", not {value!r}', field="result") from None


def validate_decision(result: object, notes: object) -> tuple[Result, str]:
    """A decision's result and notes; rejecting needs a reason so the deployer learns why."""
    chosen = parse_result(result)
    if notes is None:
        notes = ""
    if not isinstance(notes, str):
        raise InvalidInput("notes must be text", field="notes")
    text = notes.strip()
    if "\x00" in text:
        raise InvalidInput("notes must not contain NUL characters", field="notes")
    if chosen is Result.ABORT and not text:
        raise InvalidInput("a reason is required to reject", field="notes")
    if len(text) > MAX_NOTES_LENGTH:
        raise InvalidInput(f"notes are longer than {MAX_NOTES_LENGTH} characters", field="notes")
    return chosen, text


def already_decided_message(interruption: Interruption, decided_by: User | None) -> str:
    """The "already decided by X at T" message for the loser of a race, a second click and a used link alike."""
    name = decided_by.label if decided_by is not None else "someone else"
    at = interruption.decided_at.strftime("%Y-%m-%d %H:%M:%S UTC") if interruption.decided_at else "an earlier time"
    verb = "approved" if interruption.result is Result.PROCEED else "rejected"
    return f"already decided by {name} at {at} ({verb})"


def decision_outputs(interruption: Interruption, decided_by: User | None) -> dict[str, str]:
    """The output variables of a decided step: `Octopus.Action[<step>].Output.Manual.*`."""
    outcome = interruption.outcome or Outcome.CANCELED
    outputs = {
        "Manual.Approved": "True" if outcome is Outcome.APPROVED else "False",
        "Manual.Notes": interruption.notes,
        "Manual.Outcome": str(outcome),
    }
    if decided_by is not None:
        outputs.update(
            {
                "Manual.ResponsibleUser.Id": format_id("user", decided_by.id),
                "Manual.ResponsibleUser.Username": decided_by.username,
                "Manual.ResponsibleUser.DisplayName": decided_by.label,
                "Manual.ResponsibleUser.EmailAddress": decided_by.email or "",
            }
        )
    return outputs


def rejection_error(decided_by: User | None, notes: str) -> str:
    """The step's error on rejection; it starts with "Rejected" so it becomes Octopus.Deployment.Error as is."""
    name = decided_by.label if decided_by is not None else "a responsible user"
    return f"Rejected by {name}: {notes}" if notes else f"Rejected by {name}"


# -- approval links -------------------------------------------------------------------------------


class LinkStatus(StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"  # the interruption was decided or canceled, or the approver lost access
    SUPERSEDED = "superseded"  # the deployment's content changed since the link was sent


@dataclass(frozen=True, kw_only=True)
class EmailedLink(ABC):
    """What every emailed link keeps, an interruption's (`ApprovalLink`) and a change request's: whose it is,
    the decision it makes, the hash of its token (never the token) and when it was made, expires, was first
    opened, used or revoked."""

    user_id: int
    decision: Result
    token_hash: str
    created_at: datetime
    expires_at: datetime
    opened_at: datetime | None = None
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    id: int | None = None

    @property
    @abstractmethod
    def subject_id(self) -> int:
        """What the link decides: its interruption or change request."""


@dataclass(frozen=True, kw_only=True)
class ApprovalLink(EmailedLink):
    """One recipient's personal Approve or Reject URL for one interruption, bound to what was asked about."""

    interruption_id: int
    content_hash: str  # of what was asked about: the link is superseded once the release's content differs

    @property
    def subject_id(self) -> int:
        return self.interruption_id


Link = TypeVar("Link", bound=EmailedLink)


def emailed_link_status(link: EmailedLink, now: datetime, *, superseded: bool = False) -> LinkStatus:
    """Why a link can or cannot decide. Order matters: a used link says "used" even after it expired."""
    if link.used_at is not None:
        return LinkStatus.USED
    if link.revoked_at is not None:
        return LinkStatus.REVOKED
    if superseded:
        return LinkStatus.SUPERSEDED
    if link.expires_at <= now:
        return LinkStatus.EXPIRED
    return LinkStatus.USABLE


def link_status(link: ApprovalLink, now: datetime, current_content_hash: str | None = None) -> LinkStatus:
    """An interruption's link is also superseded once the release's content is no longer what was asked."""
    superseded = current_content_hash is not None and current_content_hash != link.content_hash
    return emailed_link_status(link, now, superseded=superseded)


def link_for_decision(link: Link | None, subject_id: int | None, user: User, decision: Result) -> Link:
    """`link` when it is `user`'s link to make `decision` on `subject_id`; LinkNotUsable when it is not."""
    if link is None or link.subject_id != subject_id or link.user_id != user.id:
        raise LinkNotUsable("the link is not valid for this decision", LinkStatus.REVOKED)
    if link.decision is not decision:
        raise LinkNotUsable(f"this link can only {link.decision.value}", LinkStatus.REVOKED)
    return link


class LinkNotUsable(Conflict):
    """An approval link that cannot decide (used, expired, revoked, superseded, or not this one's)."""

    code = "link_not_usable"

    def __init__(self, message: str, status: LinkStatus) -> None:
        super().__init__(message, field="token", entity="approval_link")
        self.status = status


def content_hash(release_id: int, version: str, process: Any, variables: Any, packages: Any) -> str:
    """SHA-256 over what a decision is about: the release and its process, variables and package snapshot.

    The snapshots are passed as stored (JSON-ready values, sensitive values encrypted), so the hash
    reveals nothing about a secret and changes whenever any part of the content does.
    """
    canonical = json.dumps(
        {"release": release_id, "version": version, "process": process, "variables": variables, "packages": packages},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
