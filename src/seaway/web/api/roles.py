"""Roles under /api/v1: the shared CRUD endpoints over the built-in roles (read only, their slug for an id)
and the custom ones (`Roles-3`); a custom role reads as it does in the config document."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from seaway.config.access_documents import parse_role
from seaway.domain.ids import format_id
from seaway.domain.roles import Role
from seaway.engine.roles import create_role, delete_role, find_role_ref, list_roles, update_role
from seaway.web.api import crud
from seaway.web.api.bodies import DocumentBody


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


router = crud.router_of(
    crud.Resource(
        kind="role",
        body=RoleBody,
        represent=role_json,
        list_all=list_roles,
        find=find_role_ref,
        engine=crud.Engine(create_role, update_role, delete_role, ref=crud.as_sent, reader=parse_role),
    )
)
