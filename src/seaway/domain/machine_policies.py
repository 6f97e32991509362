"""Machine policies (Octopus's): how often a target's health is checked, and whether it may be offline.

Every target names one (`targets[].policy`); "Default Machine Policy" always exists, checking every hour
with targets expected to be online, and may be given other settings like any policy. A target of a policy
whose targets *may be offline* is left out of a deployment while it is Unavailable, as if its project
skipped unavailable targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from seaway.domain.targets import DEFAULT_POLICY, DeploymentTarget, invalid

DEFAULT_HEALTH_CHECK_EVERY = timedelta(hours=1)
MIN_HEALTH_CHECK_EVERY = timedelta(minutes=1)
MAX_HEALTH_CHECK_EVERY = timedelta(days=31)
_INTERVAL = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


class PolicyConnectivity(StrEnum):
    """Octopus's `MachineConnectivityBehavior`."""

    EXPECTED_ONLINE = "expected-online"  # ExpectedToBeOnline
    MAY_BE_OFFLINE = "may-be-offline"  # MayBeOfflineAndCanBeSkipped


@dataclass(frozen=True)
class MachinePolicy:
    name: str
    health_check_every: timedelta = DEFAULT_HEALTH_CHECK_EVERY
    connectivity: PolicyConnectivity = PolicyConnectivity.EXPECTED_ONLINE
    id: int | None = None

    @property
    def may_be_offline(self) -> bool:
        return self.connectivity is PolicyConnectivity.MAY_BE_OFFLINE


DEFAULT_MACHINE_POLICY = MachinePolicy(DEFAULT_POLICY)


def parse_interval(
    text: str, *, field: str, least: timedelta = MIN_HEALTH_CHECK_EVERY, most: timedelta = MAX_HEALTH_CHECK_EVERY
) -> timedelta:
    """`90s`, `30m`, `1h`, `1d` or a combination in that order (`1h30m`), from `least` (a minute) to `most`
    (31 days)."""
    match = _INTERVAL.fullmatch(text.strip().lower())
    if not text.strip() or match is None:
        raise invalid(field, f'"{text}" is not an interval such as 30m, 1h, 1d or 1h30m')
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    try:
        every = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        every = most + timedelta(days=1)  # past any bound: refused below like any other too long interval
    if not least <= every <= most:
        raise invalid(field, f"the interval must be from {format_interval(least)} to {format_interval(most)}")
    return every


def format_interval(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def next_check(target: DeploymentTarget, policy: MachinePolicy, now: datetime) -> datetime:
    """When the target's next scheduled check is due: an interval after its last one; never checked: now."""
    if target.checked_at is None:
        return now
    return target.checked_at + policy.health_check_every
