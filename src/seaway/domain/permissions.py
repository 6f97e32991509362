"""The one authorization seam: every endpoint and CLI action asks `authorize()` before it acts.

Until roles are enforced, an active user may do everything; a disabled user nothing. Keeping every caller
on this seam from the start means roles can be switched on here without touching the edges.
"""

from __future__ import annotations

from enum import StrEnum

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
    USER_VIEW = "user.view"
    USER_EDIT = "user.edit"
    INTERRUPTION_VIEW = "interruption.view"
    INTERRUPTION_SUBMIT = "interruption.submit"
    OUTBOX_VIEW = "outbox.view"


ADMIN_ONLY: frozenset[Permission] = frozenset({Permission.ADMINISTER, Permission.OUTBOX_VIEW})


def authorize(
    user: User | None, permission: Permission, project: str | None = None, environment: str | None = None
) -> None:
    """Raise PermissionDenied unless `user` may do `permission` (optionally on a project/environment)."""
    if user is None:
        raise PermissionDenied("sign in first", entity="permission", id=str(permission))
    if not user.active:
        raise PermissionDenied(f'user "{user.username}" is disabled', entity="permission", id=str(permission))
    if permission in ADMIN_ONLY and not user.is_admin:
        raise PermissionDenied(
            f'user "{user.username}" lacks permission {permission} (administrators only)',
            entity="permission",
            id=str(permission),
        )
