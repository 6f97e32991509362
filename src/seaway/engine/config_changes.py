"""What applying a document changes, object by object: the permissions each change needs, and the fields the
audit log records of it.

A change needs the permission an edit of that object through the API needs, scoped to the object (an
environment's edit to that environment, a project's to that project); its process and variables need
`process.edit` and `variable.edit` besides. Making someone an administrator needs administration.

The audit views are plain JSON. A sensitive variable's value never reaches them: the variables are recorded
without their sensitive values, and the values themselves only as "changed" (`diffs.SENSITIVE_MARK`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seaway.domain.environments import Environment
from seaway.domain.lifecycles import Lifecycle
from seaway.domain.machine_policies import MachinePolicy, format_interval
from seaway.domain.packages import Feed
from seaway.domain.permissions import Permission
from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.roles import Role
from seaway.domain.targets import Account, DeploymentTarget, SshEndpoint
from seaway.domain.users import Team, User
from seaway.domain.variables import Variable
from seaway.store.codecs import (
    connectivity_to_json,
    phase_to_json,
    process_to_json,
    role_to_json,
    scope_to_json,
    variables_to_json,
)
from seaway.store.package_codecs import channels_to_json

P = Permission
SENSITIVE_VALUES = "sensitive_values"  # the one audit field recorded as "changed" only


@dataclass(frozen=True)
class Need:
    """One permission a change needs, and where."""

    permission: Permission
    project: str | None = None
    environment: str | None = None


class _NoValues:
    """Writes a sensitive value as nothing: the audit views keep that a variable is sensitive, never its value."""

    def encrypt(self, plaintext: str) -> str:
        return ""

    def decrypt(self, stored: str) -> str:  # pragma: no cover - views are written, never read back
        return stored


def _variables(variables: Sequence[Variable]) -> dict[str, object]:
    view: dict[str, object] = {"variables": variables_to_json(variables, _NoValues())}
    secrets = [[v.name, scope_to_json(v.scope), v.value] for v in variables if v.sensitive]
    if secrets:
        view[SENSITIVE_VALUES] = secrets
    return view


def environment_view(env: Environment) -> dict[str, object]:
    tags = {"tags": list(env.tags)} if env.tags else {}
    return {"name": env.name, "sort_order": env.sort_order, "description": env.description, **tags}


def lifecycle_view(lifecycle: Lifecycle) -> dict[str, object]:
    return {"name": lifecycle.name, "phases": [phase_to_json(p) for p in lifecycle.phases]}


def variable_set_view(variable_set: LibraryVariableSet) -> dict[str, object]:
    return {"name": variable_set.name, **_variables(variable_set.variables)}


def role_view(role: Role) -> dict[str, object]:
    return {"name": role.name, "description": role.description, "permissions": sorted(str(p) for p in role.permissions)}


def user_view(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "admin": user.is_admin,
        "active": user.active,
        "service_account": user.service_account,
    }


def team_view(team: Team) -> dict[str, object]:
    return {"name": team.name, "members": list(team.members), "roles": [role_to_json(r) for r in team.roles]}


def project_view(project: Project) -> dict[str, object]:
    return {
        "name": project.name,
        "lifecycle": project.lifecycle,
        "description": project.description,
        "include": list(project.includes),
        "process": process_to_json(project.process),
        "channels": channels_to_json(project.channels),
        "release_on_push": project.release_on_push,
        "connectivity": connectivity_to_json(project.connectivity),
        **_variables(project.variables),
        **({"tags": list(project.tags)} if project.tags else {}),
    }


def feed_view(feed: Feed) -> dict[str, object]:
    view: dict[str, object] = {"name": feed.name, "type": str(feed.type), "url": feed.url, "username": feed.username}
    if feed.password:
        view[SENSITIVE_VALUES] = feed.password  # recorded as "changed" only
    return view


def feed_needs(before: Feed | None, after: Feed) -> list[Need]:
    return [Need(P.FEED_EDIT)]


def account_view(account: Account) -> dict[str, object]:
    return {
        "name": account.name,
        "type": str(account.type),
        "username": account.username,
        SENSITIVE_VALUES: account.secret,  # recorded as "changed" only
    }


def account_needs(before: Account | None, after: Account) -> list[Need]:
    return [Need(P.ACCOUNT_EDIT)]


def machine_policy_view(policy: MachinePolicy) -> dict[str, object]:
    return {
        "name": policy.name,
        "health_check": {"every": format_interval(policy.health_check_every)},
        "connectivity": str(policy.connectivity),
    }


def machine_policy_needs(before: MachinePolicy | None, after: MachinePolicy) -> list[Need]:
    return [Need(P.TARGET_EDIT)]  # a policy may be any target's, in any environment


def target_view(target: DeploymentTarget) -> dict[str, object]:
    endpoint = target.endpoint
    shown: dict[str, object] = {"type": "agent", "communication_style": str(target.style)}
    if isinstance(endpoint, SshEndpoint):
        shown = {
            "type": "ssh",
            "communication_style": str(target.style),
            "host": endpoint.host,
            "port": endpoint.port,
            "account": endpoint.account,
            "fingerprint": endpoint.fingerprint or None,
        }
    return {
        "name": target.name,
        "environments": list(target.environments),
        "roles": list(target.roles),
        "enabled": target.enabled,
        "policy": target.policy,
        "endpoint": shown,
    }


def target_needs(before: DeploymentTarget | None, after: DeploymentTarget) -> list[Need]:
    """A target lies in each environment it lists: changing it needs the permission in all of them, before
    the change and after (moving a target out of Prod is a change to Prod)."""
    names = {e.lower(): e for e in (*(before.environments if before else ()), *after.environments)}
    return [Need(P.TARGET_EDIT, environment=name) for name in names.values()]


def environment_needs(before: Environment | None, after: Environment) -> list[Need]:
    return [Need(P.ENVIRONMENT_EDIT, environment=after.name)]


def lifecycle_needs(before: Lifecycle | None, after: Lifecycle) -> list[Need]:
    return [Need(P.LIFECYCLE_EDIT)]


def variable_set_needs(before: LibraryVariableSet | None, after: LibraryVariableSet) -> list[Need]:
    return [Need(P.VARIABLE_EDIT)]  # a library set is included by any project: every project's variables


def role_needs(before: Role | None, after: Role) -> list[Need]:
    return [Need(P.ROLE_EDIT)]


def user_needs(before: User | None, after: User) -> list[Need]:
    needs = [Need(P.USER_EDIT)]
    if after.is_admin and (before is None or not before.is_admin):
        needs.append(Need(P.ADMINISTER))
    return needs


def team_needs(before: Team | None, after: Team) -> list[Need]:
    return [Need(P.TEAM_EDIT)]


def project_needs(before: Project | None, after: Project) -> list[Need]:
    needs = [Need(P.PROJECT_EDIT, project=after.name)]
    if after.process != (before.process if before is not None else ()):
        needs.append(Need(P.PROCESS_EDIT, project=after.name))
    if after.variables != (before.variables if before is not None else ()):
        needs.append(Need(P.VARIABLE_EDIT, project=after.name))
    return needs


@dataclass(frozen=True)
class Kind:
    """One kind of object a document holds: its id kind and action prefix, how results name it, what a change
    needs and what the audit log records."""

    entity: str  # the id kind (`ids.KINDS`) and the audit action's prefix: `team.updated`
    label: str  # in the apply result and messages: `library variable set Shared`
    needs: Callable[[Any, Any], list[Need]]
    view: Callable[[Any], Mapping[str, object]]
    in_project: bool = False  # the audit event names the object as its project
    in_environment: bool = False


ENVIRONMENT = Kind("environment", "environment", environment_needs, environment_view, in_environment=True)
LIFECYCLE = Kind("lifecycle", "lifecycle", lifecycle_needs, lifecycle_view)
VARIABLE_SET = Kind("variable_set", "library variable set", variable_set_needs, variable_set_view)
ROLE = Kind("role", "role", role_needs, role_view)
USER = Kind("user", "user", user_needs, user_view)
TEAM = Kind("team", "team", team_needs, team_view)
PROJECT = Kind("project", "project", project_needs, project_view, in_project=True)
FEED = Kind("feed", "feed", feed_needs, feed_view)
ACCOUNT = Kind("account", "account", account_needs, account_view)
TARGET = Kind("target", "target", target_needs, target_view)
MACHINE_POLICY = Kind("machine_policy", "machine policy", machine_policy_needs, machine_policy_view)
