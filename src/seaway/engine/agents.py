"""Registering polling agents, authenticating their requests, revoking them.

An agent registers for a target (made here, or the agent target of that name a document declared) and
gets a registration secret: 256 random bits, shown once, kept as its SHA-256. A request with a secret
that is not kept (revoked, or its target deleted) or for a disabled target is refused at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from seaway.domain.agents import AgentRegistration
from seaway.domain.targets import AgentEndpoint, DeploymentTarget, invalid, validate_target
from seaway.engine.targets import create_target
from seaway.errors import AuthenticationFailed
from seaway.security.tokens import hash_token, new_token
from seaway.store.unit_of_work import Store, UnitOfWork

SECRET_PREFIX = "SWA-"  # noqa: S105 - how a registration secret starts, not a secret


@dataclass(frozen=True)
class IssuedAgent:
    target: DeploymentTarget
    secret: str  # shown once, to the agent; only its hash is kept
    created: bool  # the target was made by this registration


async def register_agent(
    uow: UnitOfWork,
    existing: DeploymentTarget | None,
    wanted: DeploymentTarget,
    *,
    home: str,
    hostname: str,
    now: datetime,
) -> IssuedAgent:
    """Issue a secret for the agent of `wanted` (created unless `existing`, the stored target of its name)."""
    if existing is not None and not isinstance(existing.endpoint, AgentEndpoint):
        raise invalid("name", f'the target "{existing.name}" is reached over SSH; give the agent another name')
    if not home.startswith("/"):
        raise invalid("home", "the agent's directory must be an absolute path")
    target = existing
    if target is None:
        wanted = replace(wanted, endpoint=AgentEndpoint())
        validate_target(wanted)
        target = await create_target(uow, wanted)
    assert target.id is not None
    secret = SECRET_PREFIX + new_token()
    await uow.agents.register(target.id, hash_token(secret), now, home=home, hostname=hostname)
    return IssuedAgent(target, secret, existing is None)


async def authenticate_agent(store: Store, secret: str) -> tuple[AgentRegistration, DeploymentTarget]:
    refused = "this agent is not registered (revoked, or its target deleted); register it again"
    if not secret.startswith(SECRET_PREFIX):
        raise AuthenticationFailed(refused)
    async with store.reading() as uow:
        registration = await uow.agents.find_by_secret(hash_token(secret))
        if registration is None:
            raise AuthenticationFailed(refused)
        target = await uow.targets.get(registration.target_id)
    if not target.enabled:
        raise AuthenticationFailed(f'the target "{target.name}" is disabled')
    return registration, target


async def revoke_agent(uow: UnitOfWork, target: DeploymentTarget) -> bool:
    """Refuse the target's agent from its next request on; False if it had no registration."""
    if not isinstance(target.endpoint, AgentEndpoint):
        raise invalid("name", f'the target "{target.name}" is reached over SSH, not by an agent')
    assert target.id is not None
    return await uow.agents.revoke(target.id)
