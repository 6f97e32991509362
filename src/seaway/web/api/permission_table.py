"""What every API operation needs: its permission and where that is checked (the scope source).

The generated permission matrix (`tests/web/api/test_permission_matrix.py`) calls every operation of the
OpenAPI document as every built-in role, within and outside the role's scope, and expects what this table
and the role's permissions say; an operation missing here fails it. Scope sources:

- `public`: no credential at all (health and readiness);
- `self`: any signed-in user, about themself;
- `none`: the permission must hold everywhere: a grant scoped to some projects or environments does not
  meet a check that names none (creating a project), while a permission about neither dimension (teams,
  lifecycles) is met by any grant that holds it;
- `project`, `environment`, `project+environment`: the names of the object's project and environment (a
  task's, deployment's or interruption's project and environment; a release's project).

`view` is what makes the object visible: without it the object is the 404 of an unknown id. `filtered`: a
list, filtered per item by `permission` at the item's own scope (empty when nothing is visible, never a 403).
See `web/access.py` for the rules the routes follow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from seaway.domain.permissions import Permission

P = Permission
API_PREFIX = "/api/v1"


class ScopeSource(StrEnum):
    PUBLIC = "public"
    SELF = "self"
    NONE = "none"
    PROJECT = "project"
    ENVIRONMENT = "environment"
    PROJECT_ENVIRONMENT = "project+environment"


@dataclass(frozen=True)
class Rule:
    permission: Permission | None
    scope: ScopeSource
    view: Permission | None = None  # besides `permission`, to see the object at all (404 without)
    filtered: bool = False

    @property
    def needs(self) -> tuple[Permission, ...]:
        return tuple(p for p in (self.view, self.permission) if p is not None)


S = ScopeSource
_PUBLIC = Rule(None, S.PUBLIC)
_SELF = Rule(None, S.SELF)


def _crud(
    plural: str, view: Permission, edit: Permission, scope: ScopeSource, *, create: ScopeSource = S.NONE
) -> dict[tuple[str, str], Rule]:
    filtered = scope is not S.NONE
    return {
        ("GET", f"/{plural}"): Rule(view, scope, filtered=filtered),
        ("POST", f"/{plural}"): Rule(edit, create),
        ("GET", f"/{plural}/{{}}"): Rule(view, scope),
        ("PUT", f"/{plural}/{{}}"): Rule(edit, scope, view),
        ("DELETE", f"/{plural}/{{}}"): Rule(edit, scope, view),
    }


_PE = S.PROJECT_ENVIRONMENT

OPERATIONS: Mapping[tuple[str, str], Rule] = {
    ("GET", "/health"): _PUBLIC,
    ("GET", "/ready"): _PUBLIC,
    ("POST", "/config/apply"): Rule(P.CONFIG_APPLY, S.NONE),
    # Any signed-in user: the document holds what they may view (`engine/exports.py`).
    ("GET", "/export"): _SELF,
    **_crud("environments", P.ENVIRONMENT_VIEW, P.ENVIRONMENT_EDIT, S.ENVIRONMENT),
    **_crud("lifecycles", P.LIFECYCLE_VIEW, P.LIFECYCLE_EDIT, S.NONE),
    **_crud("policies", P.POLICY_VIEW, P.POLICY_EDIT, S.NONE),
    **_crud("freezes", P.POLICY_VIEW, P.POLICY_EDIT, S.NONE),
    ("POST", "/deployments/{}/freeze-override"): Rule(P.FREEZE_OVERRIDE, _PE, P.DEPLOYMENT_VIEW),
    **_crud("projects", P.PROJECT_VIEW, P.PROJECT_EDIT, S.PROJECT),
    ("GET", "/projects/{}/process"): Rule(P.PROJECT_VIEW, S.PROJECT),
    ("PUT", "/projects/{}/process"): Rule(P.PROCESS_EDIT, S.PROJECT, P.PROJECT_VIEW),
    ("GET", "/projects/{}/variables"): Rule(P.VARIABLE_VIEW, S.PROJECT, P.PROJECT_VIEW),
    ("PUT", "/projects/{}/variables"): Rule(P.VARIABLE_EDIT, S.PROJECT, P.PROJECT_VIEW),
    ("GET", "/projects/{}/variables/preview"): Rule(P.VARIABLE_VIEW, S.PROJECT, P.PROJECT_VIEW),
    ("POST", "/projects/{}/releases"): Rule(P.RELEASE_CREATE, S.PROJECT, P.PROJECT_VIEW),
    ("GET", "/projects/{}/releases"): Rule(P.RELEASE_VIEW, S.PROJECT, P.PROJECT_VIEW),
    ("GET", "/projects/{}/releases/{}"): Rule(P.RELEASE_VIEW, S.PROJECT, P.PROJECT_VIEW),
    ("GET", "/releases/{}"): Rule(P.RELEASE_VIEW, S.PROJECT),
    ("GET", "/releases/{}/deployments"): Rule(P.DEPLOYMENT_VIEW, _PE, P.RELEASE_VIEW, filtered=True),
    ("POST", "/releases/{}/deployments"): Rule(P.DEPLOYMENT_CREATE, _PE, P.RELEASE_VIEW),
    ("POST", "/releases/{}/snapshot-variables"): Rule(P.RELEASE_CREATE, S.PROJECT, P.RELEASE_VIEW),
    ("GET", "/deployments/{}"): Rule(P.DEPLOYMENT_VIEW, _PE),
    ("GET", "/tasks"): Rule(P.TASK_VIEW, _PE, filtered=True),
    ("GET", "/tasks/{}"): Rule(P.TASK_VIEW, _PE),
    ("GET", "/tasks/{}/log"): Rule(P.TASK_VIEW, _PE),
    ("GET", "/tasks/{}/log/raw"): Rule(P.TASK_VIEW, _PE),
    ("GET", "/tasks/{}/log/stream"): Rule(P.TASK_VIEW, _PE),
    ("POST", "/tasks/{}/cancel"): Rule(P.TASK_CANCEL, _PE, P.TASK_VIEW),
    **_crud("teams", P.TEAM_VIEW, P.TEAM_EDIT, S.NONE),
    ("GET", "/users/me"): _SELF,
    ("POST", "/users/me/password"): _SELF,
    **_crud("users", P.USER_VIEW, P.USER_EDIT, S.NONE),
    ("POST", "/users/{}/password"): Rule(P.USER_EDIT, S.NONE),
    ("GET", "/api-keys"): _SELF,  # one's own; another user's with user.edit
    ("POST", "/api-keys"): _SELF,
    ("DELETE", "/api-keys/{}"): _SELF,
    ("GET", "/interruptions"): Rule(P.INTERRUPTION_VIEW, _PE, filtered=True),
    ("GET", "/interruptions/{}"): Rule(P.INTERRUPTION_VIEW, _PE),
    ("POST", "/interruptions/{}/take"): Rule(P.INTERRUPTION_SUBMIT, _PE, P.INTERRUPTION_VIEW),
    ("POST", "/interruptions/{}/submit"): Rule(P.INTERRUPTION_SUBMIT, _PE, P.INTERRUPTION_VIEW),
    ("POST", "/interruptions/{}/links"): Rule(P.INTERRUPTION_SUBMIT, _PE, P.INTERRUPTION_VIEW),
    # Deciding a change request needs being an approver its policy names (a `not_responsible` 403), no role.
    ("GET", "/deployments/preview"): Rule(P.DEPLOYMENT_VIEW, _PE),
    ("GET", "/change-requests"): Rule(P.INTERRUPTION_VIEW, _PE, filtered=True),
    ("GET", "/change-requests/{}"): Rule(P.INTERRUPTION_VIEW, _PE),
    ("POST", "/change-requests/{}/approve"): Rule(P.INTERRUPTION_VIEW, _PE),
    ("POST", "/change-requests/{}/reject"): Rule(P.INTERRUPTION_VIEW, _PE),
    ("GET", "/outbox"): Rule(P.OUTBOX_VIEW, S.NONE),
    **_crud("roles", P.ROLE_VIEW, P.ROLE_EDIT, S.NONE),
    ("GET", "/audit-events"): Rule(P.AUDIT_VIEW, _PE, filtered=True),
    ("POST", "/packages"): Rule(P.PACKAGE_PUSH, S.NONE),
    ("GET", "/packages"): Rule(P.PACKAGE_VIEW, S.NONE),
    ("GET", "/packages/{}/{}"): Rule(P.PACKAGE_VIEW, S.NONE),
    ("GET", "/packages/{}/{}/download"): Rule(P.PACKAGE_VIEW, S.NONE),
    ("DELETE", "/packages/{}/{}"): Rule(P.PACKAGE_DELETE, S.NONE, P.PACKAGE_VIEW),
    ("GET", "/feeds"): Rule(P.PACKAGE_VIEW, S.NONE),
    # A target lies in each environment it lists: seen where any of them is, changed where all of them are.
    **_crud("targets", P.TARGET_VIEW, P.TARGET_EDIT, S.ENVIRONMENT, create=S.ENVIRONMENT),
    ("POST", "/targets/{}/check"): Rule(P.TARGET_EDIT, S.ENVIRONMENT, P.TARGET_VIEW),
    ("POST", "/agents/register"): Rule(P.TARGET_EDIT, S.ENVIRONMENT),
    ("POST", "/agents/{}/revoke"): Rule(P.TARGET_EDIT, S.ENVIRONMENT, P.TARGET_VIEW),
    **_crud("accounts", P.ACCOUNT_VIEW, P.ACCOUNT_EDIT, S.NONE),
}

_PARAMETER = re.compile(r"\{[^}/]+\}")


def operation_key(method: str, path: str) -> tuple[str, str]:
    """(`GET`, `/tasks/{}`) for `get /api/v1/tasks/{task_id}`: the table does not depend on parameter names."""
    return method.upper(), _PARAMETER.sub("{}", path.removeprefix(API_PREFIX))


def rule_for(method: str, path: str) -> Rule | None:
    return OPERATIONS.get(operation_key(method, path))


def markdown_table() -> str:
    """The table of `OPERATIONS` as docs/access.md shows it (a test keeps the two the same)."""
    lines = ["| operation | permission | scope | to see the object | list |", "|---|---|---|---|---|"]
    for (method, path), rule in OPERATIONS.items():
        operation = f"`{method} {API_PREFIX}{path.replace('{}', '{id}')}`"
        permission = f"`{rule.permission}`" if rule.permission else "—"
        view = f"`{rule.view}`" if rule.view else ""
        lines.append(f"| {operation} | {permission} | {rule.scope} | {view} | {'filtered' if rule.filtered else ''} |")
    return "\n".join(lines) + "\n"
