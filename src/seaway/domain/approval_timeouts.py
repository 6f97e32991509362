"""What happens to a change request nobody decides: a policy's timeout, and reminders to its approvers.

    timeout: {after: 24h, action: reject | escalate, escalate_to: [Release Managers]}
    reminders: {every: 4h}

Merging keeps every policy's timeout, each counted from when the request was made and firing on its own
(the strictest policy does not silence the others), and the shortest reminder interval. A reject timeout
also bounds the emailed links: no link outlives the gate it decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from seaway.domain.machine_policies import format_interval, parse_interval
from seaway.errors import InvalidInput

MIN_TIMEOUT = timedelta(minutes=1)
MAX_TIMEOUT = timedelta(days=60)  # Azure DevOps caps a waiting intervention at 60 days
MIN_REMINDER_EVERY = timedelta(minutes=5)
MAX_REMINDER_EVERY = timedelta(days=31)


class TimeoutAction(StrEnum):
    REJECT = "reject"  # the request ends rejected, as if an approver had rejected it
    ESCALATE = "escalate"  # the `escalate_to` teams become approvers too; the quorum stays what it was


@dataclass(frozen=True)
class ApprovalTimeout:
    after: timedelta
    action: TimeoutAction
    escalate_to: tuple[str, ...] = ()  # team names; only with ESCALATE


@dataclass(frozen=True)
class PolicyTimeout:
    """One policy's timeout inside a merged policy: each fires on its own, named by its policy."""

    policy: str
    timeout: ApprovalTimeout


def parse_after(text: str, *, field: str) -> timedelta:
    return parse_interval(text, field=field, least=MIN_TIMEOUT, most=MAX_TIMEOUT)


def parse_every(text: str, *, field: str) -> timedelta:
    return parse_interval(text, field=field, least=MIN_REMINDER_EVERY, most=MAX_REMINDER_EVERY)


def parse_action(text: str, *, field: str) -> TimeoutAction:
    try:
        return TimeoutAction(text.strip().lower())
    except ValueError:
        choices = " or ".join(a.value for a in TimeoutAction)
        raise InvalidInput(f'{field}: expected {choices}, got "{text}"', field=field) from None


def validate_timeout(timeout: ApprovalTimeout, *, path: str) -> ApprovalTimeout:
    """`path` names the policy's `timeout` key (`approval_policies[0].timeout`)."""
    if not MIN_TIMEOUT <= timeout.after <= MAX_TIMEOUT:
        field = f"{path}.after"
        bounds = f"{format_interval(MIN_TIMEOUT)} to {format_interval(MAX_TIMEOUT)}"
        raise InvalidInput(f"{field}: the timeout must be from {bounds}", field=field)
    if timeout.action is TimeoutAction.ESCALATE and not timeout.escalate_to:
        field = f"{path}.escalate_to"
        raise InvalidInput(f"{field}: escalating needs the teams to escalate to", field=field)
    if timeout.action is TimeoutAction.REJECT and timeout.escalate_to:
        field = f"{path}.escalate_to"
        raise InvalidInput(f"{field}: only a timeout that escalates names teams to escalate to", field=field)
    return timeout


def validate_every(every: timedelta, *, path: str) -> timedelta:
    """`path` names the policy's `reminders` key."""
    if not MIN_REMINDER_EVERY <= every <= MAX_REMINDER_EVERY:
        field = f"{path}.every"
        bounds = f"{format_interval(MIN_REMINDER_EVERY)} to {format_interval(MAX_REMINDER_EVERY)}"
        raise InvalidInput(f"{field}: reminders must be from {bounds} apart", field=field)
    return every


# -- merging --------------------------------------------------------------------------------------


def merge_timeouts(named: Iterable[tuple[str, ApprovalTimeout | None]]) -> tuple[PolicyTimeout, ...]:
    """Every policy's timeout, in the order of the policies' names (so merging is order-independent)."""
    kept: dict[str, PolicyTimeout] = {}
    for name, timeout in named:
        if timeout is None:
            continue
        candidate = PolicyTimeout(name, timeout)
        held = kept.get(name.lower())
        # Names are unique; should two ever clash, the same one is kept whatever the order.
        if held is None or _order(candidate) < _order(held):
            kept[name.lower()] = candidate
    return tuple(kept[key] for key in sorted(kept))


def _order(timeout: PolicyTimeout) -> tuple[str, timedelta, str, tuple[str, ...]]:
    return (timeout.policy, timeout.timeout.after, timeout.timeout.action.value, timeout.timeout.escalate_to)


def merge_reminders(intervals: Iterable[timedelta | None]) -> timedelta | None:
    """The shortest interval of the policies that remind; None when none does."""
    return min((every for every in intervals if every is not None), default=None)


def reject_deadline(timeouts: Sequence[PolicyTimeout], created_at: datetime) -> datetime | None:
    """When the earliest reject timeout ends the request; None when no timeout rejects."""
    afters = [t.timeout.after for t in timeouts if t.timeout.action is TimeoutAction.REJECT]
    return created_at + min(afters) if afters else None


def link_expiry(
    timeouts: Sequence[PolicyTimeout], created_at: datetime, now: datetime, lifetime: timedelta
) -> datetime:
    """When a link sent `now` expires: after its usual lifetime, and never after the request times out."""
    deadline = reject_deadline(timeouts, created_at)
    usual = now + lifetime
    return usual if deadline is None else min(usual, deadline)


def find_timeout(timeouts: Sequence[PolicyTimeout], policy: str) -> PolicyTimeout | None:
    return next((t for t in timeouts if t.policy.lower() == policy.lower()), None)


def timed_out_reason(number: str, timeout: PolicyTimeout) -> str:
    return f"{number} timed out after {format_interval(timeout.timeout.after)} under {timeout.policy}"


def with_escalation(teams: Sequence[str], escalated: Sequence[str]) -> tuple[str, ...]:
    """The approver teams with the teams a timeout escalated to, each once, in the order given."""
    seen = {team.lower() for team in teams}
    added = []
    for team in escalated:
        if team.lower() not in seen:
            seen.add(team.lower())
            added.append(team)
    return (*teams, *added)


# -- JSON (the policy's columns, and a merged policy's) -----------------------------------------------


def timeout_to_json(timeout: ApprovalTimeout) -> dict[str, object]:
    return {
        "after": format_interval(timeout.after),
        "action": timeout.action.value,
        "escalate_to": list(timeout.escalate_to),
    }


def timeout_from_json(data: Mapping[str, Any]) -> ApprovalTimeout:
    return ApprovalTimeout(
        after=parse_interval(str(data["after"]), field="after", least=timedelta(seconds=1), most=MAX_TIMEOUT),
        action=TimeoutAction(str(data["action"])),
        escalate_to=tuple(str(t) for t in data.get("escalate_to") or ()),
    )


def timeouts_to_json(timeouts: Sequence[PolicyTimeout]) -> list[dict[str, object]]:
    return [{"policy": t.policy, **timeout_to_json(t.timeout)} for t in timeouts]


def timeouts_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[PolicyTimeout, ...]:
    return tuple(PolicyTimeout(str(item["policy"]), timeout_from_json(item)) for item in data)


def every_to_json(every: timedelta | None) -> str | None:
    return format_interval(every) if every is not None else None


def every_from_json(text: object) -> timedelta | None:
    if text is None:
        return None
    return parse_interval(str(text), field="every", least=timedelta(seconds=1), most=MAX_REMINDER_EVERY)


def document_keys(timeout: ApprovalTimeout | None, every: timedelta | None) -> dict[str, object]:
    """A policy's `timeout:` and `reminders:` as its config document and API write them; nothing when unset."""
    keys: dict[str, object] = {}
    if timeout is not None:
        written = timeout_to_json(timeout)
        if not timeout.escalate_to:
            del written["escalate_to"]
        keys["timeout"] = written
    if every is not None:
        keys["reminders"] = {"every": format_interval(every)}
    return keys
