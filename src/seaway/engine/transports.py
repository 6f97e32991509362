"""How Seaway reaches one target's machine: over SSH with its account and pinned host key, or through its
polling agent's work queue. `close` ends what `transport_for` opened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from seaway.domain.targets import Account, DeploymentTarget, SshEndpoint
from seaway.targets.agent import AgentCalls, AgentTarget
from seaway.targets.base import Target


def transport_for(
    target: DeploymentTarget,
    accounts: Mapping[str, Account],
    *,
    agents: AgentCalls | None,
    connect_timeout: float = 10,
) -> Target:
    """`accounts` by lower-cased name."""
    if isinstance(target.endpoint, SshEndpoint):
        from seaway.targets.ssh import SshTarget  # loaded when first used, as the health checks' probe is

        account = accounts[target.endpoint.account.lower()]
        return SshTarget(target.endpoint, account, connect_timeout=connect_timeout)
    if agents is None:
        raise AssertionError("a polling agent target needs the agents' work queue")
    return AgentTarget(target, agents)


@runtime_checkable
class _Closable(Protocol):
    async def close(self) -> None: ...


async def close(transport: Target) -> None:
    """An SSH connection is closed; an agent holds nothing open."""
    if isinstance(transport, _Closable):
        await transport.close()
