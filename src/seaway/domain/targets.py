"""Deployment targets: the machines steps run on, by environment and role, and how Seaway reaches them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class HealthStatus(StrEnum):
    """Octopus's names (`HealthStatus` in its API)."""

    HEALTHY = "Healthy"
    HAS_WARNINGS = "HasWarnings"
    UNHEALTHY = "Unhealthy"  # reached, but something critical is wrong (a changed host key, a missing tool)
    UNAVAILABLE = "Unavailable"  # not reached at all
    UNKNOWN = "Unknown"  # never checked


class CommunicationStyle(StrEnum):
    SSH = "Ssh"
    POLLING_AGENT = "TentacleActive"


class AccountType(StrEnum):
    SSH_KEY = "ssh-key"
    PASSWORD = "password"  # noqa: S105 - the kind of account, not a password


@dataclass(frozen=True)
class Account:
    """Credentials for targets. The secret (a private key in OpenSSH/PEM text, or a password) is kept
    encrypted by the store and never returned by the API."""

    name: str
    type: AccountType
    username: str
    secret: str = field(repr=False, default="")
    id: int | None = None


@dataclass(frozen=True)
class SshEndpoint:
    host: str
    port: int = 22
    account: str = ""  # an account's name
    fingerprint: str = ""  # the host key's SHA-256 fingerprint (`SHA256:...`), pinned when the target is added


@dataclass(frozen=True)
class HealthReport:
    status: HealthStatus
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeploymentTarget:
    name: str
    environments: tuple[str, ...]
    roles: tuple[str, ...]
    endpoint: SshEndpoint
    enabled: bool = True
    policy: str = "Default Machine Policy"
    health: HealthStatus = HealthStatus.UNKNOWN
    health_messages: tuple[str, ...] = ()
    id: int | None = None

    @property
    def style(self) -> CommunicationStyle:
        return CommunicationStyle.SSH
