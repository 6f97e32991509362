"""Approval policies: who must approve a deployment before it starts, independent of its process.

A policy's scope names projects, environments and tags (empty: every one; see domain/tags.py for how tags
match). Every policy whose scope matches a
deployment applies, and they merge into one `MergedPolicy`: the union of the approvers, the highest
minimum, every quorum clause of every policy, and the creator blocked if any policy blocks them. Merging is
order-independent, so the merged policy a change request records does not depend on how policies are listed.

Counting is by person: someone in three approver teams is one approval. The deployer's approval is never
counted when the creator is blocked (`check_may_approve` refuses it before it is recorded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from seaway.domain.approval_timeouts import (
    ApprovalTimeout,
    PolicyTimeout,
    every_from_json,
    every_to_json,
    merge_reminders,
    merge_timeouts,
    timeouts_from_json,
    timeouts_to_json,
    validate_every,
    validate_timeout,
)
from seaway.domain.change_windows import ChangeWindow, PolicyWindows, windows_from_json, windows_to_json
from seaway.domain.scopes import in_scope
from seaway.domain.users import Team
from seaway.errors import InvalidInput

MAX_MINIMUM = 1000


@dataclass(frozen=True)
class QuorumClause:
    """At least `minimum` approvals by members of `team`, besides the policy's overall minimum."""

    team: str
    minimum: int


@dataclass(frozen=True)
class ApprovalPolicy:
    name: str
    description: str = ""
    projects: tuple[str, ...] = ()  # scope; empty: every project
    environments: tuple[str, ...] = ()  # scope; empty: every environment
    teams: tuple[str, ...] = ()  # approvers
    users: tuple[str, ...] = ()  # approvers, by username
    minimum: int = 1
    block_deployment_creator: bool = True
    quorum: tuple[QuorumClause, ...] = ()
    id: int | None = None
    timeout: ApprovalTimeout | None = None  # what happens when nobody decides in time
    remind_every: timedelta | None = None  # reminders to the approvers who have not decided
    change_windows: tuple[ChangeWindow, ...] = ()  # empty: any time
    tags: tuple[str, ...] = ()  # scope: the project or the environment carries one of them; empty: any


@dataclass(frozen=True)
class MergedPolicy:
    """What every matching policy asks for together; what a change request records and is decided by."""

    policies: tuple[str, ...]
    teams: tuple[str, ...]
    users: tuple[str, ...]
    minimum: int
    block_deployment_creator: bool
    quorum: tuple[QuorumClause, ...]
    timeouts: tuple[PolicyTimeout, ...] = ()  # every policy's own, each firing on its own
    remind_every: timedelta | None = None  # the shortest of the policies'
    windows: tuple[PolicyWindows, ...] = ()  # per policy, by name: inside every one's windows


def applies_to(
    policy: ApprovalPolicy,
    project: str,
    environment: str,
    project_tags: Sequence[str] = (),
    environment_tags: Sequence[str] = (),
) -> bool:
    scope = (policy.projects, policy.environments, policy.tags)
    return in_scope(*scope, project, environment, project_tags, environment_tags)


def _sorted_unique(names: Iterable[str]) -> tuple[str, ...]:
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(name.lower(), name)
    return tuple(by_key[key] for key in sorted(by_key))


def merge(policies: Iterable[ApprovalPolicy]) -> MergedPolicy | None:
    """The merged policy of `policies`; None when there are none (the deployment is not gated)."""
    listed = list(policies)
    if not listed:
        return None
    clauses: dict[tuple[str, int], QuorumClause] = {}
    for policy in listed:
        for clause in policy.quorum:
            clauses.setdefault((clause.team.lower(), clause.minimum), clause)
    return MergedPolicy(
        policies=_sorted_unique(p.name for p in listed),
        teams=_sorted_unique(t for p in listed for t in p.teams),
        users=_sorted_unique(u for p in listed for u in p.users),
        minimum=max(p.minimum for p in listed),
        block_deployment_creator=any(p.block_deployment_creator for p in listed),
        quorum=tuple(clauses[key] for key in sorted(clauses)),
        timeouts=merge_timeouts((p.name, p.timeout) for p in listed),
        remind_every=merge_reminders(p.remind_every for p in listed),
        windows=tuple(
            sorted((PolicyWindows(p.name, p.change_windows) for p in listed if p.change_windows), key=_policy_key)
        ),
    )


def _policy_key(windows: PolicyWindows) -> str:
    return windows.policy.lower()


def matching(
    policies: Iterable[ApprovalPolicy],
    project: str,
    environment: str,
    project_tags: Sequence[str] = (),
    environment_tags: Sequence[str] = (),
) -> MergedPolicy | None:
    return merge(p for p in policies if applies_to(p, project, environment, project_tags, environment_tags))


# -- who counts -----------------------------------------------------------------------------------


def members_of(team: str, teams: Sequence[Team]) -> frozenset[str]:
    """The usernames (lower case) of a team's members."""
    return frozenset(m.lower() for t in teams if t.name.lower() == team.lower() for m in t.members)


def approvers(merged: MergedPolicy, teams: Sequence[Team]) -> frozenset[str]:
    """Everyone a policy names: the approver teams' members, the approver users and the quorum teams'
    members (a quorum clause asks its team, so its members are approvers too)."""
    names = {u.lower() for u in merged.users}
    for team in (*merged.teams, *(c.team for c in merged.quorum)):
        names |= members_of(team, teams)
    return frozenset(names)


def eligible(merged: MergedPolicy, teams: Sequence[Team], deployer: str | None) -> frozenset[str]:
    """The approvers whose approval counts: without the deployer when the creator is blocked."""
    everyone = approvers(merged, teams)
    if merged.block_deployment_creator and deployer is not None:
        return everyone - {deployer.lower()}
    return everyone


@dataclass(frozen=True)
class ClauseProgress:
    team: str
    needed: int
    have: int

    @property
    def met(self) -> bool:
        return self.have >= self.needed


@dataclass(frozen=True)
class Tally:
    needed: int
    have: int
    clauses: tuple[ClauseProgress, ...]

    @property
    def approved(self) -> bool:
        return self.have >= self.needed and all(c.met for c in self.clauses)

    @property
    def still_needed(self) -> int:
        """The fewest further approvals that could approve it (the overall minimum, or a clause's more)."""
        return max([self.needed - self.have, *(c.needed - c.have for c in self.clauses), 0])


def tally(merged: MergedPolicy, approved_by: Iterable[str], teams: Sequence[Team], deployer: str | None) -> Tally:
    """Count the approvals of `approved_by` (usernames) that count, each person once."""
    counted = {name.lower() for name in approved_by} & eligible(merged, teams, deployer)
    clauses = tuple(ClauseProgress(c.team, c.minimum, len(counted & members_of(c.team, teams))) for c in merged.quorum)
    return Tally(merged.minimum, len(counted), clauses)


def impossibility(merged: MergedPolicy, teams: Sequence[Team], deployer: str | None) -> str | None:
    """Why no set of eligible approvers can approve, or None when some can. Approval only grows as approvals
    are added, so it is possible exactly when every eligible approver approving would do."""
    everyone = eligible(merged, teams, deployer)
    best = tally(merged, everyone, teams, deployer)
    if best.approved:
        return None
    but = " other than the deployer" if merged.block_deployment_creator and deployer is not None else ""
    for clause in best.clauses:
        if not clause.met:
            return (
                f'the quorum cannot be met: it needs {clause.needed} approvals from "{clause.team}", which has '
                f"{clause.have} eligible approvers{but}"
            )
    return (
        f"the quorum cannot be met: it needs {best.needed} approvals and there are {best.have} eligible approvers{but}"
    )


# -- validation -----------------------------------------------------------------------------------


def validate_policy(policy: ApprovalPolicy, *, path: str = "") -> ApprovalPolicy:
    prefix = f"{path}." if path else ""
    if not policy.name.strip():
        raise InvalidInput("a policy needs a name", field=f"{prefix}name")
    if not 1 <= policy.minimum <= MAX_MINIMUM:
        raise InvalidInput(
            f"minimum must be between 1 and {MAX_MINIMUM}, not {policy.minimum}", field=f"{prefix}minimum"
        )
    if not policy.teams and not policy.users and not policy.quorum:
        raise InvalidInput("a policy needs approvers (teams or users)", field=f"{prefix}approvers")
    for index, clause in enumerate(policy.quorum):
        if not 1 <= clause.minimum <= MAX_MINIMUM:
            raise InvalidInput(
                f"minimum must be between 1 and {MAX_MINIMUM}, not {clause.minimum}",
                field=f"{prefix}quorum[{index}].minimum",
            )
    if policy.timeout is not None:
        validate_timeout(policy.timeout, path=f"{prefix}timeout")
    if policy.remind_every is not None:
        validate_every(policy.remind_every, path=f"{prefix}reminders")
    return policy


def merged_to_json(merged: MergedPolicy) -> dict[str, object]:
    written: dict[str, object] = {
        "policies": list(merged.policies),
        "teams": list(merged.teams),
        "users": list(merged.users),
        "minimum": merged.minimum,
        "block_deployment_creator": merged.block_deployment_creator,
        "quorum": [{"team": c.team, "minimum": c.minimum} for c in merged.quorum],
        # Only when there are any: the content hash of a request without windows stays what it was.
        **({"change_windows": windows_to_json(merged.windows)} if merged.windows else {}),
    }
    # Written only when set, so what a policy without them hashes to (`bound_content`) stays what it was.
    if merged.timeouts:
        written["timeouts"] = timeouts_to_json(merged.timeouts)
    if merged.remind_every is not None:
        written["remind_every"] = every_to_json(merged.remind_every)
    return written


def merged_from_json(data: Mapping[str, Any]) -> MergedPolicy:
    return MergedPolicy(
        policies=tuple(str(p) for p in data.get("policies") or ()),
        teams=tuple(str(t) for t in data.get("teams") or ()),
        users=tuple(str(u) for u in data.get("users") or ()),
        minimum=int(data.get("minimum", 1)),
        block_deployment_creator=bool(data.get("block_deployment_creator", True)),
        quorum=tuple(QuorumClause(str(c["team"]), int(c["minimum"])) for c in data.get("quorum") or ()),
        timeouts=timeouts_from_json(data.get("timeouts") or ()),
        remind_every=every_from_json(data.get("remind_every")),
        windows=windows_from_json(data.get("change_windows") or ()),
    )
