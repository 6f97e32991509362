"""Change requests: the gate approval policies put on a deployment, numbered `SEA-<n>`.

A change request is made when its deployment is queued and records the merged policy as it was then, so a
later edit of a policy does not move the goal posts of a request already made. It is decided by the
approvals of eligible people (each counted once) and ended by any one rejection.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from seaway.domain.approval_timeouts import with_escalation
from seaway.domain.change_windows import describe_windows
from seaway.domain.interruptions import EmailedLink, LinkStatus, Result, emailed_link_status, validate_decision
from seaway.domain.policies import MergedPolicy, Tally, merged_to_json
from seaway.errors import InvalidInput

PREFIX = "SEA-"


class ChangeRequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELED = "canceled"  # its deployment was canceled before it was decided


@dataclass(frozen=True)
class ChangeRequest:
    deployment_id: int
    task_id: int
    project: str
    environment: str
    release_version: str
    policy: MergedPolicy
    created_at: datetime
    requested_by: int | None = None  # the deployer; None for a deployment Seaway started itself
    requested_by_username: str | None = None
    state: ChangeRequestState = ChangeRequestState.PENDING
    decided_at: datetime | None = None
    reason: str = ""  # why it was rejected or canceled
    id: int | None = None  # the n of SEA-n
    content_hash: str = ""  # what was put to the approvers: `bound_content`
    changes: tuple[str, ...] = ()  # what changed since approvals were last voided, for the approvers
    escalated_teams: tuple[str, ...] = ()  # approver teams a timeout added; the quorum stays the recorded one

    @property
    def is_pending(self) -> bool:
        return self.state is ChangeRequestState.PENDING

    @property
    def effective_policy(self) -> MergedPolicy:
        """The recorded policy with the teams it escalated to: who may approve, and whose approval counts."""
        if not self.escalated_teams:
            return self.policy
        return replace(self.policy, teams=with_escalation(self.policy.teams, self.escalated_teams))


@dataclass(frozen=True)
class ChangeRequestDecision:
    change_request_id: int
    user_id: int
    username: str
    result: Result
    notes: str
    channel: str
    decided_at: datetime


def bound_content(release_hash: str, environment: str, policy: MergedPolicy) -> str:
    """SHA-256 over what an approval is given for: the release's content, the environment and the policy."""
    canonical = json.dumps(
        {"release": release_hash, "environment": environment.lower(), "policy": merged_to_json(policy)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def policy_changes(before: MergedPolicy, after: MergedPolicy) -> tuple[str, ...]:
    """What the approvers are told changed in the policy that gates the request."""
    lines = []
    if before.minimum != after.minimum:
        lines.append(f"minimum approvals {before.minimum} → {after.minimum}")
    for label, old, new in (
        ("approver teams", before.teams, after.teams),
        ("approver users", before.users, after.users),
        ("policies", before.policies, after.policies),
    ):
        if old != new:
            lines.append(f"{label}: {', '.join(old) or 'none'} → {', '.join(new) or 'none'}")
    if before.quorum != after.quorum:
        shown = ", ".join(f"{c.minimum} from {c.team}" for c in after.quorum) or "none"
        lines.append(f"quorum: now {shown}")
    if before.windows != after.windows:
        lines.append(f"change windows: {describe_windows(after.windows) or 'none'}")
    if before.block_deployment_creator != after.block_deployment_creator:
        lines.append("the deployment's creator is " + ("blocked" if after.block_deployment_creator else "allowed"))
    return tuple(lines) or ("the policy changed",)


def format_number(number: int | None) -> str:
    if number is None:
        raise ValueError("a change request without a number cannot be named")
    return f"{PREFIX}{number}"


def is_number(text: str) -> bool:
    return text.upper().startswith(PREFIX)


def parse_number(text: str, *, field: str = "id") -> int:
    """`SEA-12` or a bare `12`."""
    candidate = text[len(PREFIX) :] if is_number(text) else text
    if not candidate.isascii() or not candidate.isdigit() or len(candidate) > 10 or int(candidate) > 2**31 - 1:
        raise InvalidInput(f'"{text}" is not a change request number (expected {PREFIX}<n>)', field=field)
    return int(candidate)


def blocked_message(request: ChangeRequest, progress: Tally) -> str:
    """What the task log and the deployment say while the request is pending."""
    clauses = "".join(f"; {c.have} of {c.needed} from {c.team}" for c in progress.clauses)
    return (
        f"blocked by change request {format_number(request.id)}, needs {progress.needed} approvals "
        f"({progress.have} so far{clauses})"
    )


def validate_reason(result: Result, text: object) -> str:
    """A decision's note, as an interruption's (`validate_decision`); a rejection's is its `reason`."""
    try:
        return validate_decision(result.value, text)[1]
    except InvalidInput as exc:
        if result is Result.ABORT and exc.field == "notes" and "reason" in exc.message:
            raise InvalidInput(exc.message, field="reason") from None
        raise


@dataclass(frozen=True, kw_only=True)
class ChangeRequestLink(EmailedLink):
    """One approver's personal Approve or Reject URL for one change request; only its token's hash is kept."""

    change_request_id: int

    @property
    def subject_id(self) -> int:
        return self.change_request_id


def change_link_status(link: ChangeRequestLink, now: datetime) -> LinkStatus:
    """Why a link can or cannot decide, in the order the interruption's links say it."""
    return emailed_link_status(link, now)
