"""Approval policies: checked against what is stored, then saved; and the merged policy of a deployment.

The API and config-as-code apply both go through `check_policy`, so a policy naming a team, user, project or
environment that does not exist is refused alike, naming the field (`approval_policies[0].approvers.teams[1]`).
Changing a policy needs `policy.edit`, which no project role holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from seaway.domain.approval_timeouts import document_keys
from seaway.domain.change_windows import window_to_json
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.policies import ApprovalPolicy, MergedPolicy, eligible, impossibility, matching
from seaway.domain.scopes import scope_to_json
from seaway.engine.change_windows import preview_json as window_preview
from seaway.engine.config_changes import Kind, Need
from seaway.engine.freezes import freeze_holding
from seaway.engine.freezes import preview_json as freeze_preview
from seaway.engine.names import add_named, save_named
from seaway.engine.projects import looks_like_id
from seaway.engine.scope_tags import deployment_tags
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork


def policy_view(policy: ApprovalPolicy) -> dict[str, object]:
    """The policy as its API shows it and its audit events compare it."""
    return {
        "name": policy.name,
        "description": policy.description,
        "scope": scope_to_json(policy),
        "approvers": {"teams": list(policy.teams), "users": list(policy.users)},
        "minimum": policy.minimum,
        "block_deployment_creator": policy.block_deployment_creator,
        "quorum": [{"team": c.team, "minimum": c.minimum} for c in policy.quorum],
        **document_keys(policy.timeout, policy.remind_every),
        "change_windows": [window_to_json(w) for w in policy.change_windows],
    }


def policy_needs(before: ApprovalPolicy | None, after: ApprovalPolicy) -> list[Need]:
    return [Need(Permission.POLICY_EDIT)]


POLICY = Kind("policy", "approval policy", policy_needs, policy_view)


async def check_policy(uow: UnitOfWork, policy: ApprovalPolicy, *, path: str = "") -> ApprovalPolicy:
    """The policy with every name as it is stored; an unknown one is refused naming its path."""
    prefix = f"{path}." if path else ""
    teams = {t.name.lower(): t.name for t in await uow.teams.list()}

    def team(name: str, field: str) -> str:
        if name.lower() not in teams:
            raise InvalidInput(f'{field}: unknown team "{name}"', field=field)
        return teams[name.lower()]

    async def stored(names: tuple[str, ...], what: str, field: str, find: Any) -> tuple[str, ...]:
        found_names = []
        for index, name in enumerate(names):
            found = await find(name)
            if found is None:
                raise InvalidInput(
                    f'{prefix}{field}[{index}]: unknown {what} "{name}"', field=f"{prefix}{field}[{index}]"
                )
            found_names.append(getattr(found, "username", None) or found.name)
        return tuple(found_names)

    users = await stored(policy.users, "user", "approvers.users", uow.users.find_by_username)
    projects = await stored(policy.projects, "project", "scope.projects", uow.projects.find_by_name)
    environments = await stored(policy.environments, "environment", "scope.environments", uow.environments.find_by_name)
    timeout = policy.timeout
    if timeout is not None:
        escalate_to = tuple(team(n, f"{prefix}timeout.escalate_to[{i}]") for i, n in enumerate(timeout.escalate_to))
        timeout = replace(timeout, escalate_to=escalate_to)
    return replace(
        policy,
        teams=tuple(team(n, f"{prefix}approvers.teams[{i}]") for i, n in enumerate(policy.teams)),
        users=users,
        projects=projects,
        environments=environments,
        quorum=tuple(replace(c, team=team(c.team, f"{prefix}quorum[{i}].team")) for i, c in enumerate(policy.quorum)),
        timeout=timeout,
    )


async def find_policy(uow: UnitOfWork, ref: str) -> ApprovalPolicy:
    """A policy by `ApprovalPolicies-3`, `3` or its name."""
    if looks_like_id("policy", ref):
        return await uow.policies.get(parse_id("policy", ref))
    return await uow.policies.get_by_name(ref)


async def merged_policy(uow: UnitOfWork, project: str, environment: str) -> MergedPolicy | None:
    """Every policy that applies to a deployment of `project` to `environment`, merged; None: not gated.
    The project's and the environment's tags are read only when some policy is scoped on tags."""
    policies = await uow.policies.list()
    if not any(p.tags for p in policies):
        return matching(policies, project, environment)
    return matching(policies, project, environment, *await deployment_tags(uow, project, environment))


async def create_policy(uow: UnitOfWork, policy: ApprovalPolicy) -> ApprovalPolicy:
    return await add_named(uow.policies, await check_policy(uow, policy), "policy")


async def update_policy(uow: UnitOfWork, policy_id: int, policy: ApprovalPolicy) -> ApprovalPolicy:
    await uow.policies.get(policy_id)
    return await save_named(uow.policies, policy_id, await check_policy(uow, policy), "policy")


@dataclass(frozen=True)
class Preview:
    """What a deployment of a project to an environment would need before it may start."""

    merged: MergedPolicy | None
    approvers: tuple[str, ...]  # usernames whose approval would count
    impossible: str | None  # why no set of those approvers could approve it; None when some could
    change_window: dict[str, object] | None = None  # open now, or when it opens; None: no windows
    freeze: dict[str, object] | None = None  # the freeze in force now; None: none


async def preview(
    uow: UnitOfWork, project: str, environment: str, deployer: str | None, now: datetime | None = None
) -> Preview:
    merged = await merged_policy(uow, project, environment)
    frozen = None
    if now is not None:
        frozen = freeze_preview(await freeze_holding(uow, None, project, environment, now))
    if merged is None:
        return Preview(None, (), None, freeze=frozen)
    teams = await uow.teams.list()
    window = window_preview(merged.windows, now) if now is not None else None
    approving = tuple(sorted(eligible(merged, teams, deployer)))
    return Preview(merged, approving, impossibility(merged, teams, deployer), window, frozen)
