"""The people and what they may do, in the config document: `users:`, `roles:` (custom roles) and `teams:`
(and the API bodies of the same shape)."""

from __future__ import annotations

from seaway.config.reader import Node
from seaway.domain.environments import validate_name
from seaway.domain.roles import Role, parse_permission, validate_custom_role
from seaway.domain.users import Team, TeamRole, User, validate_email, validate_username

USER_KEYS = {"username", "display_name", "email", "admin", "active", "service_account"}
NO_PASSWORDS = "passwords are never accepted in YAML; use seaway admin set-password or the sign-in page"


def parse_user(node: Node) -> User:
    if isinstance(node.value, dict):
        for key in node.value:
            if isinstance(key, str) and key.lower().startswith("password"):
                raise Node(None, node.child_path(key)).fail(NO_PASSWORDS)
    m = node.mapping(USER_KEYS, {"username"})
    return User(
        username=validate_username(m["username"].string(), field=m["username"].path),
        display_name=m["display_name"].string() if "display_name" in m else "",
        email=validate_email(m["email"].string(), field=m["email"].path) if "email" in m else None,
        is_admin=m["admin"].boolean() if "admin" in m else False,
        active=m["active"].boolean() if "active" in m else True,
        service_account=m["service_account"].boolean() if "service_account" in m else False,
    )


def parse_role(node: Node) -> Role:
    """A custom role: a name that is not a built-in slug, and permissions by their names."""
    m = node.mapping({"name", "description", "permissions"}, {"name", "permissions"})
    permissions = frozenset(parse_permission(p.string(), field=p.path) for p in m["permissions"].items())
    role = Role(
        name=m["name"].string().strip(),
        permissions=permissions,
        description=m["description"].string(allow_empty=True) if "description" in m else "",
    )
    validate_custom_role(role, field=m["name"].path)
    return role


def parse_roles(node: Node) -> tuple[tuple[Role, str], ...]:
    roles: list[tuple[Role, str]] = []
    for item in node.items():
        role = parse_role(item)
        if any(other.name.lower() == role.name.lower() for other, _ in roles):
            raise Node(None, item.child_path("name")).fail(f'the role "{role.name}" is listed twice')
        roles.append((role, item.path))
    return tuple(roles)


def parse_team(node: Node) -> Team:
    m = node.mapping({"name", "members", "roles"}, {"name"})
    roles = []
    for r in m["roles"].items() if "roles" in m else ():
        rm = r.mapping({"role", "environments", "projects"}, {"role"})
        roles.append(
            TeamRole(
                role=rm["role"].string(),
                environments=rm["environments"].strings() if "environments" in rm else (),
                projects=rm["projects"].strings() if "projects" in rm else (),
            )
        )
    members = tuple(m["members"].strings()) if "members" in m else ()
    return Team(name=validate_name(m["name"].string(), field=m["name"].path), members=members, roles=tuple(roles))
