"""The `approval_policies:` section of the config document (and the API body of the same shape).

    approval_policies:
      - name: Production change control
        scope: {environments: [Prod]}            # and/or projects: [...], tags: [...]; empty = everything
        approvers: {teams: [Project Stakeholders], users: [carol]}
        minimum: 2
        block_deployment_creator: true
        quorum: [{team: Release Managers, minimum: 2}, {team: Security, minimum: 1}]

Names that must exist (teams, users, projects, environments) are checked when the document is applied
(`engine/policies.py`). Change windows are read by `change_window_documents.py`, timeouts and reminders by
`approval_timeout_documents.py`.
"""

from __future__ import annotations

from seaway.config.approval_timeout_documents import TIMEOUT_KEYS, with_timeouts
from seaway.config.change_window_documents import parse_windows
from seaway.config.reader import Node
from seaway.config.tag_documents import parse_tags
from seaway.domain.environments import validate_name
from seaway.domain.policies import ApprovalPolicy, QuorumClause, validate_policy

POLICY_KEYS = {"name", "description", "scope", "approvers", "minimum", "block_deployment_creator", "quorum"}
POLICY_KEYS |= {"change_windows"}
SCOPE_KEYS = {"projects", "environments", "tags"}
APPROVER_KEYS = {"teams", "users"}
CLAUSE_KEYS = {"team", "minimum"}


def parse_policies(node: Node) -> tuple[tuple[ApprovalPolicy, str], ...]:
    parsed = tuple((parse_policy(n), n.path) for n in node.items())
    seen: set[str] = set()
    for policy, path in parsed:
        if policy.name.lower() in seen:
            raise Node(None, f"{path}.name").fail(f'the policy "{policy.name}" is listed twice')
        seen.add(policy.name.lower())
    return parsed


def _names(node: Node) -> tuple[str, ...]:
    items = [node] if isinstance(node.value, str) else list(node.items())
    return tuple(validate_name(n.string(), field=n.path) for n in items)


def parse_policy(node: Node) -> ApprovalPolicy:
    m = node.mapping(POLICY_KEYS | TIMEOUT_KEYS, {"name", "approvers"})
    projects: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    if "scope" in m:
        scope = m["scope"].mapping(SCOPE_KEYS)
        tags = parse_tags(scope["tags"]) if "tags" in scope else ()
        projects = _names(scope["projects"]) if "projects" in scope else ()
        environments = _names(scope["environments"]) if "environments" in scope else ()
    approvers = m["approvers"].mapping(APPROVER_KEYS)
    quorum = tuple(_clause(n) for n in m["quorum"].items()) if "quorum" in m else ()
    policy = ApprovalPolicy(
        name=validate_name(m["name"].string(), field=m["name"].path),
        description=m["description"].string(allow_empty=True) if "description" in m else "",
        projects=projects,
        environments=environments,
        teams=_names(approvers["teams"]) if "teams" in approvers else (),
        users=tuple(n.string() for n in approvers["users"].items()) if "users" in approvers else (),
        minimum=m["minimum"].integer(minimum=1, maximum=1000) if "minimum" in m else 1,
        block_deployment_creator=m["block_deployment_creator"].boolean() if "block_deployment_creator" in m else True,
        quorum=quorum,
        change_windows=parse_windows(m["change_windows"]) if "change_windows" in m else (),
        tags=tags,
    )
    policy = with_timeouts(policy, m)
    return validate_policy(policy, path=node.path)


def _clause(node: Node) -> QuorumClause:
    m = node.mapping(CLAUSE_KEYS, CLAUSE_KEYS)
    return QuorumClause(
        team=validate_name(m["team"].string(), field=m["team"].path),
        minimum=m["minimum"].integer(minimum=1, maximum=1000),
    )
