"""The one authorization seam: every endpoint, page and CLI action asks `authorize()` before it acts.

A user may do what the union of their grants allows (see `roles.grants_of`); an administrator everything;
a disabled user nothing. A grant's scope narrows only the dimensions a permission is about: deploying is
about a project and an environment, seeing a lifecycle about neither, so a role scoped to Prod still lets
its members read lifecycles, and a check that names no project for a project permission (creating one,
say) is met only by a grant that covers every project.
"""

from __future__ import annotations

from enum import StrEnum

from seaway.domain.grants import Grant
from seaway.domain.users import User
from seaway.errors import PermissionDenied


class Permission(StrEnum):
    ADMINISTER = "administer"
    CONFIG_APPLY = "config.apply"
    ENVIRONMENT_VIEW = "environment.view"
    ENVIRONMENT_EDIT = "environment.edit"
    LIFECYCLE_VIEW = "lifecycle.view"
    LIFECYCLE_EDIT = "lifecycle.edit"
    PROJECT_VIEW = "project.view"
    PROJECT_EDIT = "project.edit"
    PROCESS_EDIT = "process.edit"
    VARIABLE_VIEW = "variable.view"
    VARIABLE_EDIT = "variable.edit"
    RELEASE_CREATE = "release.create"
    RELEASE_VIEW = "release.view"
    DEPLOYMENT_CREATE = "deployment.create"
    DEPLOYMENT_VIEW = "deployment.view"
    TASK_VIEW = "task.view"
    TASK_CANCEL = "task.cancel"
    TEAM_VIEW = "team.view"
    TEAM_EDIT = "team.edit"
    ROLE_VIEW = "role.view"
    ROLE_EDIT = "role.edit"
    USER_VIEW = "user.view"
    USER_EDIT = "user.edit"
    INTERRUPTION_VIEW = "interruption.view"
    INTERRUPTION_SUBMIT = "interruption.submit"
    INTERRUPTION_DECIDE = "interruption.decide"  # any gate in scope, named on the step or not
    OUTBOX_VIEW = "outbox.view"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    PACKAGE_VIEW = "package.view"
    PACKAGE_PUSH = "package.push"
    PACKAGE_DELETE = "package.delete"  # also needed to overwrite a pushed version
    FEED_EDIT = "feed.edit"
    TARGET_VIEW = "target.view"
    TARGET_EDIT = "target.edit"  # also runs health checks and pins host keys
    ACCOUNT_VIEW = "account.view"
    ACCOUNT_EDIT = "account.edit"
    POLICY_VIEW = "policy.view"
    POLICY_EDIT = "policy.edit"  # in no project role: a project lead cannot switch off their own gate
    FREEZE_OVERRIDE = "freeze.override"  # let one deployment through a freeze; in no built-in role but admin


class Dimension(StrEnum):
    PROJECT = "project"
    ENVIRONMENT = "environment"


_P, _E = Dimension.PROJECT, Dimension.ENVIRONMENT
_PROJECT_ONLY = frozenset({_P})
_BOTH = frozenset({_P, _E})

# What each permission is about; a grant's scope applies to these dimensions and no others.
DIMENSIONS: dict[Permission, frozenset[Dimension]] = {
    Permission.ENVIRONMENT_VIEW: frozenset({_E}),
    Permission.ENVIRONMENT_EDIT: frozenset({_E}),
    Permission.PROJECT_VIEW: _PROJECT_ONLY,
    Permission.PROJECT_EDIT: _PROJECT_ONLY,
    Permission.PROCESS_EDIT: _PROJECT_ONLY,
    Permission.VARIABLE_VIEW: _PROJECT_ONLY,
    Permission.VARIABLE_EDIT: _PROJECT_ONLY,
    Permission.RELEASE_CREATE: _PROJECT_ONLY,
    Permission.RELEASE_VIEW: _PROJECT_ONLY,
    Permission.DEPLOYMENT_CREATE: _BOTH,
    Permission.DEPLOYMENT_VIEW: _BOTH,
    Permission.TASK_VIEW: _BOTH,
    Permission.TASK_CANCEL: _BOTH,
    Permission.INTERRUPTION_VIEW: _BOTH,
    Permission.INTERRUPTION_SUBMIT: _BOTH,
    Permission.INTERRUPTION_DECIDE: _BOTH,
    Permission.AUDIT_VIEW: _BOTH,
    Permission.AUDIT_EXPORT: _BOTH,
    # A target lies in every environment it lists: it is seen where any of them is, changed only by
    # someone who holds the permission in all of them (`web/api/targets.py`).
    Permission.TARGET_VIEW: frozenset({_E}),
    Permission.TARGET_EDIT: frozenset({_E}),
    Permission.FREEZE_OVERRIDE: _BOTH,
}


def dimensions_of(permission: Permission) -> frozenset[Dimension]:
    return DIMENSIONS.get(permission, frozenset())


def _covers(scope: frozenset[str], value: str | None) -> bool:
    return not scope or (value is not None and value.lower() in scope)


def grant_allows(grant: Grant, permission: Permission, project: str | None, environment: str | None) -> bool:
    if str(permission) not in grant.permissions:
        return False
    dims = dimensions_of(permission)
    return (_P not in dims or _covers(grant.projects, project)) and (
        _E not in dims or _covers(grant.environments, environment)
    )


def allows(
    user: User | None, permission: Permission, project: str | None = None, environment: str | None = None
) -> bool:
    """Whether `authorize` would let `user` through; lists filter with this."""
    if user is None or not user.active:
        return False
    if user.is_admin:
        return True
    return any(grant_allows(g, permission, project, environment) for g in user.grants)


def authorize(
    user: User | None, permission: Permission, project: str | None = None, environment: str | None = None
) -> None:
    """Raise PermissionDenied, naming the permission and the scope that is missing, unless `allows`."""
    if user is None:
        raise PermissionDenied("sign in first", entity="permission", id=str(permission))
    if not user.active:
        raise PermissionDenied(f'user "{user.username}" is disabled', entity="permission", id=str(permission))
    if allows(user, permission, project, environment):
        return
    raise PermissionDenied(
        f"missing permission {permission}{_missing_scope(user, permission, project, environment)}",
        entity="permission",
        id=str(permission),
    )


def _missing_scope(user: User, permission: Permission, project: str | None, environment: str | None) -> str:
    """` for environment "Prod"` when the project is covered but not the environment, and so on; `every
    project` when the check names none and the user holds the permission only within some projects."""
    dims = dimensions_of(permission)
    held = [g for g in user.grants if str(permission) in g.permissions]
    parts = []
    if _P in dims and not any(_covers(g.projects, project) for g in held):
        parts.append(f'project "{project}"' if project is not None else "every project")
    if _E in dims:
        in_project = [g for g in held if _covers(g.projects, project)] or held
        if not any(_covers(g.environments, environment) for g in in_project):
            parts.append(f'environment "{environment}"' if environment is not None else "every environment")
    if not held:
        return ""
    return " for " + " in ".join(parts) if parts else ""
