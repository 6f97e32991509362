"""Roles: named sets of permissions. The built-in ones are referred to by slug; custom ones by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from seaway.domain.grants import Grant
from seaway.domain.permissions import Permission
from seaway.domain.users import Team
from seaway.errors import InvalidInput

P = Permission


@dataclass(frozen=True)
class Role:
    name: str  # a slug for a built-in role, free text for a custom one
    permissions: frozenset[Permission]
    description: str = ""
    builtin: bool = False
    id: int | None = None


_PROJECT_VIEWS = frozenset(
    {
        P.PROJECT_VIEW,
        P.RELEASE_VIEW,
        P.DEPLOYMENT_VIEW,
        P.TASK_VIEW,
        P.INTERRUPTION_VIEW,
        P.VARIABLE_VIEW,
        P.ENVIRONMENT_VIEW,
        P.LIFECYCLE_VIEW,
        P.PACKAGE_VIEW,
        P.TARGET_VIEW,
        P.POLICY_VIEW,
    }
)
_CONTRIBUTOR = _PROJECT_VIEWS | {P.PROJECT_EDIT, P.PROCESS_EDIT, P.VARIABLE_EDIT, P.CONFIG_APPLY}
_LEAD = _CONTRIBUTOR | {P.RELEASE_CREATE}
_DEPLOYER = _LEAD | {P.DEPLOYMENT_CREATE, P.TASK_CANCEL, P.INTERRUPTION_SUBMIT}
# What someone deploying or deciding needs to see of what they act on, and no more.
_DEPLOYMENT_VIEWS = frozenset(
    {P.PROJECT_VIEW, P.RELEASE_VIEW, P.DEPLOYMENT_VIEW, P.TASK_VIEW, P.INTERRUPTION_VIEW, P.ENVIRONMENT_VIEW}
)

BUILTIN_ROLES: Mapping[str, Role] = {
    role.name: role
    for role in (
        Role("system-administrator", frozenset(Permission), "everything, everywhere", True),
        Role("project-viewer", _PROJECT_VIEWS, "read projects, releases, deployments and their logs", True),
        Role("project-contributor", _CONTRIBUTOR, "viewer, plus edit process and variables", True),
        Role("project-lead", _LEAD, "contributor, plus create releases", True),
        Role("project-deployer", _DEPLOYER, "lead, plus deploy, cancel and decide gates", True),
        Role(
            "deployment-creator",
            _DEPLOYMENT_VIEWS | {P.LIFECYCLE_VIEW, P.DEPLOYMENT_CREATE, P.TASK_CANCEL},
            "create and cancel deployments only",
            True,
        ),
        Role(
            "environment-viewer",
            frozenset({P.ENVIRONMENT_VIEW, P.TARGET_VIEW}),
            "see environments and their deployment targets",
            True,
        ),
        Role(
            "environment-manager",
            frozenset(
                {
                    P.ENVIRONMENT_VIEW,
                    P.ENVIRONMENT_EDIT,
                    P.LIFECYCLE_VIEW,
                    P.LIFECYCLE_EDIT,
                    P.TARGET_VIEW,
                    P.TARGET_EDIT,
                    P.ACCOUNT_VIEW,
                    P.ACCOUNT_EDIT,
                }
            ),
            "create, change and delete environments, lifecycles, deployment targets and their accounts",
            True,
        ),
        Role(
            "approver",
            _DEPLOYMENT_VIEWS | {P.INTERRUPTION_SUBMIT, P.INTERRUPTION_DECIDE},
            "decide any gate in scope, named on the step or not",
            True,
        ),
        Role("auditor", frozenset({P.AUDIT_VIEW, P.AUDIT_EXPORT}), "read and export the audit log", True),
        Role(
            "package-publisher",
            frozenset({P.PACKAGE_VIEW, P.PACKAGE_PUSH}),
            "push packages to the built-in feed (a build server's key)",
            True,
        ),
    )
}


def parse_permission(value: str, *, field: str) -> Permission:
    try:
        return Permission(value)
    except ValueError:
        raise InvalidInput(f'unknown permission "{value}"', field=field) from None


def validate_custom_role(role: Role, *, field: str = "name") -> None:
    if not role.name.strip():
        raise InvalidInput("a role needs a name", field=field)
    if role.name.lower() in BUILTIN_ROLES:
        raise InvalidInput(f'"{role.name}" is a built-in role; choose another name', field=field)


def find_role(name: str, custom: Iterable[Role]) -> Role | None:
    """A built-in role by slug, or a custom role by name (case-insensitive)."""
    key = name.lower()
    if key in BUILTIN_ROLES:
        return BUILTIN_ROLES[key]
    return next((role for role in custom if role.name.lower() == key), None)


def grants_of(username: str, teams: Sequence[Team], custom: Sequence[Role]) -> tuple[Grant, ...]:
    """Every grant `username` holds through the teams they are a member of; unknown roles grant nothing."""
    who = username.lower()
    grants = []
    for team in teams:
        if who not in {member.lower() for member in team.members}:
            continue
        for team_role in team.roles:
            role = find_role(team_role.role, custom)
            if role is None:
                continue
            grants.append(
                Grant(
                    role=team_role.role,
                    team=team.name,
                    permissions=frozenset(str(p) for p in role.permissions),
                    projects=frozenset(name.lower() for name in team_role.projects),
                    environments=frozenset(name.lower() for name in team_role.environments),
                )
            )
    return tuple(grants)
