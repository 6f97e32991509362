"""Polling agents: a target whose machine dials the server, asks for its work and reports the results.

The server stays the logical client: each thing it asks of an agent (run a command, put a file there, fetch
one back) is a durable work item, handed out once, whose result is written back to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from seaway.domain.targets import HealthReport, HealthStatus

DEFAULT_AGENT_TIMEOUT_SECONDS = 120.0
# The agent reports this with every request; the server shows it in health checks.
AGENT_PROTOCOL_VERSION = "1"


class WorkKind(StrEnum):
    RUN = "run"
    UPLOAD = "upload"
    DOWNLOAD = "download"


class WorkState(StrEnum):
    PENDING = "pending"  # waiting for the agent to ask for it
    CLAIMED = "claimed"  # handed out: never handed out to be started again
    DONE = "done"  # the agent wrote its result
    EXPIRED = "expired"  # not picked up in time: the agent will not be given it


@dataclass(frozen=True)
class AgentRegistration:
    """What the server keeps of a target's agent: the hash of its secret and what it last said of itself."""

    target_id: int
    secret_hash: str = field(repr=False)
    registered_at: datetime
    last_seen_at: datetime | None = None
    version: str = ""
    hostname: str = ""
    home: str = ""  # the agent's own directory for this registration, absolute on its machine


@dataclass(frozen=True)
class AgentWorkItem:
    id: int
    target_id: int
    kind: WorkKind
    payload: Mapping[str, object]  # the work's JSON, as the agent is sent it
    state: WorkState
    created_at: datetime
    cancel_requested: bool = False
    result: Mapping[str, object] | None = None  # the JSON the agent reported
    claimed_at: datetime | None = None
    resumed: bool = False  # handed out before: the agent may follow it, never start it


def last_seen_text(registration: AgentRegistration | None) -> str:
    if registration is None or registration.last_seen_at is None:
        return "it has never asked for work"
    return f"it last asked for work at {registration.last_seen_at:%Y-%m-%d %H:%M:%S} UTC"


def agent_health(registration: AgentRegistration | None, now: datetime, timeout: float) -> HealthReport:
    """Healthy while the agent asked for work within `timeout` seconds; Unavailable otherwise."""
    if registration is None:
        return HealthReport(HealthStatus.UNAVAILABLE, ("no agent is registered; run `seaway agent register`",))
    seen = registration.last_seen_at
    if seen is None or (now - seen).total_seconds() > timeout:
        return HealthReport(HealthStatus.UNAVAILABLE, (f"the agent is offline: {last_seen_text(registration)}",))
    host = f" on {registration.hostname}" if registration.hostname else ""
    return HealthReport(HealthStatus.HEALTHY, (f"agent {registration.version or 'unknown version'}{host} polling",))


def not_picked_up_message(target: str, registration: AgentRegistration | None, timeout: float) -> str:
    return f"the agent of {target} did not pick up the work within {timeout:g} s: {last_seen_text(registration)}"
