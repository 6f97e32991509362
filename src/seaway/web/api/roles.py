"""Roles under /api/v1: the shared CRUD endpoints over the built-in roles (read only, their slug for an id)
and the custom ones (`Roles-3`); a custom role reads as it does in the config document."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from seaway.config.access_documents import parse_role
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.domain.roles import Role
from seaway.engine.roles import create_role, delete_role, find_role_ref, list_roles, update_role
from seaway.web.api import crud
from seaway.web.api.bodies import DocumentBody

router = crud.resource_router("roles")


class RoleBody(DocumentBody):
    name: str = Field(description="not a built-in role's slug")
    description: str = ""
    permissions: list[str] = Field(description="permission names, such as release.create")


def role_json(role: Role) -> dict[str, Any]:
    return {
        "id": role.name if role.builtin else format_id("role", role.id),
        "name": role.name,
        "description": role.description,
        "permissions": sorted(str(p) for p in role.permissions),
        "builtin": role.builtin,
    }


crud.install(
    router,
    crud.Resource(
        plural="roles",
        kind="role",
        id_param="role_id",
        view=Permission.ROLE_VIEW,
        edit=Permission.ROLE_EDIT,
        body=RoleBody,
        represent=role_json,
        list_all=list_roles,
        find=find_role_ref,
        create=crud.creates(create_role, crud.from_document(parse_role)),
        update=crud.updates(update_role, crud.from_document(parse_role), by=crud.as_sent),
        delete=crud.deletes(delete_role, by=crud.as_sent),
    ),
)
