"""Deployment targets and the accounts that reach them: checked against what is stored, then saved.

The API and config-as-code apply both go through here, so a target is refused alike whichever way it comes:
an environment or account that does not exist, a name another target has. Reaching a machine is the
probe's (`TargetProbe`), and never happens inside a transaction (`target_checks`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from seaway.config.secret_references import STORED
from seaway.domain.ids import parse_id
from seaway.domain.targets import Account, AccountType, DeploymentTarget, HealthReport, SshEndpoint, invalid
from seaway.engine.names import refuse_name_clash, refuse_while_used
from seaway.engine.projects import looks_like_id
from seaway.store.unit_of_work import UnitOfWork


class TargetProbe(Protocol):
    """How Seaway reaches a target's machine: over SSH in production (`target_probes.SshProbe`)."""

    async def fingerprint(self, host: str, port: int) -> str:
        """The SHA-256 fingerprint (`SHA256:...`) of the host key the machine presents; TargetError if it
        cannot be reached."""
        ...

    async def check(self, target: DeploymentTarget, account: Account) -> HealthReport:
        """Connect as `account`, verifying the host key against the target's pinned fingerprint, and report."""
        ...


async def find_target(uow: UnitOfWork, ref: str) -> DeploymentTarget:
    """A target by `Machines-3`, `3` or its name."""
    if looks_like_id("target", ref):
        return await uow.targets.get(parse_id("target", ref))
    return await uow.targets.get_by_name(ref)


async def find_account(uow: UnitOfWork, ref: str) -> Account:
    """An account by `Accounts-2`, `2` or its name."""
    if looks_like_id("account", ref):
        return await uow.accounts.get(parse_id("account", ref))
    return await uow.accounts.get_by_name(ref)


async def check_target(uow: UnitOfWork, target: DeploymentTarget, *, path: str = "") -> DeploymentTarget:
    """The target with its environments and account named as they are stored; an unknown one is refused
    naming its path (`targets[0].environments[1]`)."""
    prefix = f"{path}." if path else ""
    environments = []
    for index, name in enumerate(target.environments):
        found = await uow.environments.find_by_name(name)
        if found is None:
            raise invalid(f"{prefix}environments[{index}]", f'unknown environment "{name}"')
        environments.append(found.name)
    if not isinstance(target.endpoint, SshEndpoint):
        return replace(target, environments=tuple(environments))
    account = await uow.accounts.find_by_name(target.endpoint.account)
    if account is None:
        raise invalid(f"{prefix}endpoint.account", f'unknown account "{target.endpoint.account}"')
    policy = (await uow.machine_policies.all()).get(target.policy.lower())
    if policy is None:
        raise invalid(f"{prefix}policy", f'unknown machine policy "{target.policy}"')
    endpoint = replace(target.endpoint, account=account.name)
    return replace(target, environments=tuple(environments), endpoint=endpoint, policy=policy.name)


def keep_state(existing: DeploymentTarget | None, wanted: DeploymentTarget) -> DeploymentTarget:
    """`wanted` as an edit of `existing`: its id and last health stay, and so does its pinned host key unless
    the edit gives one or moves the target to another host or port (where that key means nothing)."""
    if existing is None:
        return wanted
    endpoint, before = wanted.endpoint, existing.endpoint
    if isinstance(endpoint, SshEndpoint) and isinstance(before, SshEndpoint):
        same_machine = (endpoint.host.lower(), endpoint.port) == (before.host.lower(), before.port)
        if not endpoint.fingerprint and same_machine:
            endpoint = replace(endpoint, fingerprint=before.fingerprint)
    return replace(
        wanted,
        endpoint=endpoint,
        health=existing.health,
        health_messages=existing.health_messages,
        checked_at=existing.checked_at,
        id=existing.id,
    )


async def create_target(uow: UnitOfWork, target: DeploymentTarget) -> DeploymentTarget:
    checked = await check_target(uow, target)
    refuse_name_clash(await uow.targets.find_by_name(target.name), None, f'a target named "{target.name}"')
    return await uow.targets.add(checked)


async def update_target(uow: UnitOfWork, existing: DeploymentTarget, target: DeploymentTarget) -> DeploymentTarget:
    checked = await check_target(uow, target)
    clash = await uow.targets.find_by_name(target.name)
    refuse_name_clash(clash, existing.id, f'a target named "{target.name}"')
    return await uow.targets.save(keep_state(existing, checked))


async def delete_target(uow: UnitOfWork, existing: DeploymentTarget) -> None:
    assert existing.id is not None
    await uow.targets.delete(existing.id)


def _refuse_reference(account: Account) -> None:
    if account.secret == STORED:  # only `apply` resolves a reference to a stored secret
        secret = "private_key" if account.type is AccountType.SSH_KEY else "password"
        raise invalid(secret, "{stored: true} is understood only by seaway apply; send the secret")


async def create_account(uow: UnitOfWork, account: Account) -> Account:
    _refuse_reference(account)
    refuse_name_clash(await uow.accounts.find_by_name(account.name), None, f'an account named "{account.name}"')
    return await uow.accounts.add(account)


async def update_account(uow: UnitOfWork, ref: str, account: Account) -> Account:
    """Change an account; a secret left out keeps the stored one (the API never shows it to send it back)."""
    _refuse_reference(account)
    existing = await find_account(uow, ref)
    refuse_name_clash(await uow.accounts.find_by_name(account.name), existing.id, f'an account named "{account.name}"')
    if not account.secret:
        if account.type is not existing.type:
            secret = "private_key" if account.type is AccountType.SSH_KEY else "password"
            raise invalid(secret, f"a new secret is needed when the account becomes {account.type}")
        account = replace(account, secret=existing.secret)
    return await uow.accounts.save(replace(account, id=existing.id))


async def delete_account(uow: UnitOfWork, ref: str) -> Account:
    """Delete an account no target uses; the deleted account."""
    existing = await find_account(uow, ref)
    assert existing.id is not None
    users = await uow.accounts.used_by(existing.id)
    remedy = "give those targets another account first"
    refuse_while_used("account", ref, existing.name, users, "used by", remedy)
    await uow.accounts.delete(existing.id)
    return existing
