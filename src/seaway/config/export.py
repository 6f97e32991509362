"""Domain objects → the config-as-code document `seaway apply` accepts (`seaway export`, "View as YAML").

Every key `documents.py` and the `*_documents.py` readers beside it read is written back in the same shape,
defaults left out, so applying the output to the server it came from changes nothing. Secrets are never
written: a sensitive value, an account's key or password and a feed's password are written as a reference
(`secret_references.REFERENCE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import yaml

from seaway.config.secret_references import REFERENCE
from seaway.config.tag_documents import environment_entries
from seaway.domain.approval_timeouts import document_keys
from seaway.domain.change_windows import window_to_json
from seaway.domain.channels import Channel
from seaway.domain.freezes import Freeze
from seaway.domain.lifecycles import Lifecycle
from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, MachinePolicy, format_interval
from seaway.domain.packages import Feed
from seaway.domain.policies import ApprovalPolicy
from seaway.domain.process import RunCondition, StartTrigger, Step
from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.roles import Role
from seaway.domain.targeting import Connectivity
from seaway.domain.targets import DEFAULT_POLICY, Account, AccountType, DeploymentTarget, SshEndpoint
from seaway.domain.users import Team, User
from seaway.domain.variables import SCOPE_KEYS, Variable

Document = dict[str, Any]


@dataclass(frozen=True)
class SpaceContents:
    """What an export holds, in the order `apply` applies it; a kind left empty is left out of the document."""

    environments: Sequence[str] = ()
    lifecycles: Sequence[Lifecycle] = ()
    roles: Sequence[Role] = field(default=())  # custom roles; built-in ones are not written
    users: Sequence[User] = ()
    teams: Sequence[Team] = ()
    library_variable_sets: Sequence[LibraryVariableSet] = ()
    projects: Sequence[Project] = ()
    feeds: Sequence[Feed] = ()
    accounts: Sequence[Account] = ()
    targets: Sequence[DeploymentTarget] = ()
    machine_policies: Sequence[MachinePolicy] = ()  # "Default Machine Policy" is written only when changed
    approval_policies: Sequence[ApprovalPolicy] = ()
    freezes: Sequence[Freeze] = ()
    environment_tags: Mapping[str, Sequence[str]] = field(default_factory=dict)  # by environment name


def space_document(contents: SpaceContents) -> Document:
    sections: list[tuple[str, Iterable[Any]]] = [
        ("environments", environment_entries(contents.environments, contents.environment_tags)),
        ("lifecycles", [lifecycle_document(lc) for lc in contents.lifecycles]),
        ("roles", [role_document(r) for r in contents.roles if not r.builtin]),
        ("users", [user_document(u) for u in contents.users]),
        ("library_variable_sets", [variable_set_document(s) for s in contents.library_variable_sets]),
        ("feeds", [feed_document(f) for f in contents.feeds]),
        ("accounts", [account_document(a) for a in contents.accounts]),
        ("machine_policies", [machine_policy_document(p) for p in contents.machine_policies if not _is_default(p)]),
        ("targets", [target_document(t) for t in contents.targets]),
        ("projects", [project_document(p) for p in contents.projects]),
        ("teams", [team_document(t) for t in contents.teams]),
        ("approval_policies", [approval_policy_document(p) for p in contents.approval_policies]),
        ("freezes", [freeze_document(f) for f in contents.freezes]),
    ]
    return {key: items for key, items in sections if items}


def to_yaml(document: Document) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def _some(**values: Any) -> Document:
    """The keys whose values are not a default (None, empty, False)."""
    return {key: value for key, value in values.items() if value not in (None, "", (), [], {}, False)}


def lifecycle_document(lifecycle: Lifecycle) -> Document:
    phases = [
        {"name": p.name, "environments": list(p.environments)}
        | _some(optional=p.optional, automatic=list(p.automatic))
        | ({"minimum": p.minimum} if p.minimum is not None else {})
        for p in lifecycle.phases
    ]
    return {"name": lifecycle.name, "phases": phases}


def role_document(role: Role) -> Document:
    permissions = sorted(str(p) for p in role.permissions)
    return {"name": role.name} | _some(description=role.description) | {"permissions": permissions}


def user_document(user: User) -> Document:
    return (
        {"username": user.username}
        | _some(display_name=user.display_name, email=user.email, admin=user.is_admin)
        | ({} if user.active else {"active": False})
        | _some(service_account=user.service_account)
    )


def team_document(team: Team) -> Document:
    roles = [{"role": r.role} | _some(environments=list(r.environments), projects=list(r.projects)) for r in team.roles]
    return {"name": team.name} | _some(members=list(team.members), roles=roles)


def variable_document(variable: Variable) -> Document:
    scope = {key: sorted(getattr(variable.scope, key)) for key in SCOPE_KEYS if getattr(variable.scope, key)}
    prompt = None
    if variable.prompt is not None:
        p = variable.prompt
        prompt = {"label": p.label} | _some(description=p.description, required=p.required)
    value: Any = dict(REFERENCE) if variable.sensitive else variable.value
    return {"name": variable.name, "value": value} | _some(scope=scope, sensitive=variable.sensitive, prompt=prompt)


def variable_set_document(variable_set: LibraryVariableSet) -> Document:
    return {"name": variable_set.name} | _some(variables=[variable_document(v) for v in variable_set.variables])


def feed_document(feed: Feed) -> Document:
    password = dict(REFERENCE) if feed.password else None
    return {"name": feed.name, "type": feed.type.value, "url": feed.url} | _some(
        username=feed.username, password=password
    )


def account_document(account: Account) -> Document:
    secret = "private_key" if account.type is AccountType.SSH_KEY else "password"
    return {"name": account.name, "type": account.type.value, "username": account.username, secret: dict(REFERENCE)}


def target_document(target: DeploymentTarget) -> Document:
    endpoint = target.endpoint
    written: Document = {"type": "agent"}  # the agent's registration is its own, not the document's
    if isinstance(endpoint, SshEndpoint):
        written = {"type": "ssh", "host": endpoint.host, "port": endpoint.port, "account": endpoint.account}
        written |= _some(fingerprint=endpoint.fingerprint)
    return (
        {
            "name": target.name,
            "environments": list(target.environments),
            "roles": list(target.roles),
            "endpoint": written,
        }
        | ({} if target.enabled else {"enabled": False})
        | _some(policy=_unless_default_policy(target.policy))
    )


def _unless_default_policy(name: str) -> str | None:
    return None if name.lower() == DEFAULT_POLICY.lower() else name


def _is_default(policy: MachinePolicy) -> bool:
    """The built-in policy with the built-in settings: it exists without being written."""
    settings = (policy.health_check_every, policy.connectivity)
    default = (DEFAULT_MACHINE_POLICY.health_check_every, DEFAULT_MACHINE_POLICY.connectivity)
    return policy.name.lower() == DEFAULT_POLICY.lower() and settings == default


def machine_policy_document(policy: MachinePolicy) -> Document:
    written: Document = {"name": policy.name}
    if policy.health_check_every != DEFAULT_MACHINE_POLICY.health_check_every:
        written["health_check"] = {"every": format_interval(policy.health_check_every)}
    if policy.connectivity is not DEFAULT_MACHINE_POLICY.connectivity:
        written["connectivity"] = policy.connectivity.value
    return written


def approval_policy_document(policy: ApprovalPolicy) -> Document:
    # `approvers` is required even when a quorum alone names who approves.
    approvers = _some(teams=list(policy.teams), users=list(policy.users))
    return (
        {"name": policy.name}
        | _some(
            description=policy.description,
            scope=_some(projects=list(policy.projects), environments=list(policy.environments), tags=list(policy.tags)),
        )
        | {"approvers": approvers}
        | ({"minimum": policy.minimum} if policy.minimum != 1 else {})
        | ({} if policy.block_deployment_creator else {"block_deployment_creator": False})
        | _some(quorum=[{"team": c.team, "minimum": c.minimum} for c in policy.quorum])
        | document_keys(policy.timeout, policy.remind_every)
        | _some(change_windows=[window_to_json(w) for w in policy.change_windows])
    )


def freeze_document(freeze: Freeze) -> Document:
    return (
        {"name": freeze.name}
        | _some(
            description=freeze.description,
            scope=_some(projects=list(freeze.projects), environments=list(freeze.environments), tags=list(freeze.tags)),
        )
        | {"start": freeze.start.isoformat(), "end": freeze.end.isoformat()}
    )


def step_document(step: Step) -> Document:
    run_condition: Any = None
    if step.run_condition is RunCondition.VARIABLE:
        run_condition = {"variable": step.condition_expression or ""}
    elif step.run_condition is not RunCondition.SUCCESS:
        run_condition = step.run_condition.value
    environments = _some(only=list(step.environments.only), skip=list(step.environments.skip))
    return (
        {"name": step.name, "type": step.type.value}
        | ({} if step.enabled else {"enabled": False})
        | _some(required=step.required, environments=environments, run_condition=run_condition)
        | ({"start": step.start.value} if step.start is not StartTrigger.AFTER_PREVIOUS else {})
        | {key: _plain(value) for key, value in step.properties.items()}
        | _some(steps=[step_document(child) for child in step.children])
    )


def _plain(value: Any) -> Any:
    """A property as YAML writes it: tuples and other sequences as lists, mappings as dicts."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def channel_document(channel: Channel) -> Document:
    rules = [{"step": r.step} | _some(versions=r.versions) | ({"tag": r.tag} if r.tag is not None else {})
             for r in channel.rules]  # fmt: skip
    return {"name": channel.name} | _some(lifecycle=channel.lifecycle, rules=rules)


def project_document(project: Project) -> Document:
    return (
        {"name": project.name}
        | _some(
            lifecycle=project.lifecycle,
            description=project.description,
            include=list(project.includes),
            variables=[variable_document(v) for v in project.variables],
            process=[step_document(s) for s in project.process],
            channels=[channel_document(c) for c in project.channels],
            tags=list(project.tags),
        )
        | ({"release_on_push": {"step": project.release_on_push}} if project.release_on_push else {})
        | _some(connectivity=connectivity_document(project.connectivity))
    )


def connectivity_document(connectivity: Connectivity) -> Document:
    """The switches that are on; every one is off by default."""
    return {f.name: True for f in fields(Connectivity) if getattr(connectivity, f.name)}
