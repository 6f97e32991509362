"""Deployment targets: the machines steps run on, by environment and role, and how Seaway reaches them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from seaway.errors import InvalidInput

DEFAULT_POLICY = "Default Machine Policy"  # Octopus's built-in machine policy; the only one there is yet
MAX_PORT = 65535
# What OpenSSH prints (`ssh-keygen -l -E sha256`): the SHA-256 of the host key in unpadded base64.
_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")


class HealthStatus(StrEnum):
    """Octopus's names (`HealthStatus` in its API)."""

    HEALTHY = "Healthy"
    HAS_WARNINGS = "HasWarnings"
    UNHEALTHY = "Unhealthy"  # reached, but something critical is wrong (a changed host key, a missing tool)
    UNAVAILABLE = "Unavailable"  # not reached at all
    UNKNOWN = "Unknown"  # never checked

    @property
    def usable(self) -> bool:
        """Whether a deployment may run on a target in this state."""
        return self in (HealthStatus.HEALTHY, HealthStatus.HAS_WARNINGS)


class CommunicationStyle(StrEnum):
    SSH = "Ssh"
    POLLING_AGENT = "TentacleActive"


class AccountType(StrEnum):
    SSH_KEY = "ssh-key"
    PASSWORD = "username-password"  # noqa: S105 - the kind of account, not a password


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

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class AgentEndpoint:
    """A polling agent: the machine dials the server (`seaway agent run`), so nothing about its address is
    known or needed here; what the agent reports of itself lives with its registration."""

    @property
    def address(self) -> str:
        return "polling agent"


Endpoint = SshEndpoint | AgentEndpoint


@dataclass(frozen=True)
class HealthReport:
    status: HealthStatus
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeploymentTarget:
    name: str
    environments: tuple[str, ...]
    roles: tuple[str, ...]
    endpoint: Endpoint
    enabled: bool = True
    policy: str = DEFAULT_POLICY
    health: HealthStatus = HealthStatus.UNKNOWN
    health_messages: tuple[str, ...] = ()
    checked_at: datetime | None = None
    id: int | None = None

    @property
    def style(self) -> CommunicationStyle:
        return CommunicationStyle.POLLING_AGENT if isinstance(self.endpoint, AgentEndpoint) else CommunicationStyle.SSH

    @property
    def ssh(self) -> SshEndpoint:
        """The SSH endpoint of a target reached over SSH; InvalidInput naming the endpoint otherwise."""
        if not isinstance(self.endpoint, SshEndpoint):
            raise invalid("endpoint.type", f'"{self.name}" is a polling agent, not an SSH target')
        return self.endpoint


def invalid(field: str, message: str) -> InvalidInput:
    """Bad input whose message names its field too, as the config reader's do: clients show the message."""
    return InvalidInput(f"{field}: {message}" if field else message, field=field or None)


def validate_role(role: str, *, field: str) -> str:
    """A target role (Octopus's target tag): one word, shared by every target that carries it."""
    if not role.strip():
        raise invalid(field, "a role must not be empty")
    if any(ch.isspace() for ch in role):
        raise invalid(field, f'the role "{role}" contains a space; roles are single words such as web-server')
    if len(role) > 200:
        raise invalid(field, "a role is longer than 200 characters")
    return role


def validate_port(port: int, *, field: str) -> int:
    if not 1 <= port <= MAX_PORT:
        raise invalid(field, f"the port {port} is out of range (1 to {MAX_PORT})")
    return port


def validate_fingerprint(text: str, *, field: str) -> str:
    """`SHA256:` and 43 characters of base64, as `ssh-keygen -l -E sha256 -f <host key>.pub` prints it."""
    candidate = text.strip().rstrip("=")
    if not _FINGERPRINT.fullmatch(candidate):
        raise invalid(
            field,
            f'"{text}" is not a SHA-256 host key fingerprint (expected SHA256: and 43 characters of base64, '
            "as `ssh-keygen -l -E sha256 -f /etc/ssh/ssh_host_ed25519_key.pub` prints it)",
        )
    return candidate


def validate_target(target: DeploymentTarget, *, path: str = "") -> None:
    """What a target needs whatever it is written in: an environment, roles without spaces, a valid port."""
    prefix = f"{path}." if path else ""
    if not target.environments:
        raise invalid(f"{prefix}environments", "a target must be in at least one environment")
    if not target.roles:
        raise invalid(f"{prefix}roles", "a target must have at least one role")
    for key, values in (("environments", target.environments), ("roles", target.roles)):
        seen: set[str] = set()
        for index, value in enumerate(values):
            if key == "roles":
                validate_role(value, field=f"{prefix}roles[{index}]")
            if value.lower() in seen:
                raise invalid(f"{prefix}{key}[{index}]", f'"{value}" is listed twice')
            seen.add(value.lower())
    if not isinstance(target.endpoint, SshEndpoint):
        return
    validate_port(target.endpoint.port, field=f"{prefix}endpoint.port")
    if target.endpoint.fingerprint:
        validate_fingerprint(target.endpoint.fingerprint, field=f"{prefix}endpoint.fingerprint")


def not_pinned_message(target: DeploymentTarget, presented: str | None = None) -> str:
    """What a check of a target without a pinned host key says, and how to pin it."""
    seen = f" (it presents {presented})" if presented else ""
    return (
        f"no host key is pinned for {target.ssh.address}{seen}; compare it with "
        f"`ssh-keygen -l -E sha256 -f /etc/ssh/ssh_host_ed25519_key.pub` on the host, then run "
        f"`seaway target check {target.name} --trust`"
    )
