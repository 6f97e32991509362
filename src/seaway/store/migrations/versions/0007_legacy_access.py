"""legacy access: before roles, every active user could do everything but administration; an upgrade keeps
them deploying through one team, `Everyone (before roles)`, holding project-deployer and environment-viewer

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from seaway.domain.permissions import Permission
from seaway.domain.roles import Role, grants_of
from seaway.domain.users import Team, TeamRole
from seaway.store.access import grants_to_json

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TEAM = "Everyone (before roles)"
ROLES = [
    {"role": "project-deployer", "environments": [], "projects": []},
    {"role": "environment-viewer", "environments": [], "projects": []},
]

# The columns as they are at this revision, not as the tables in code may be later.
_users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("is_admin"), sa.column("grants", sa.JSON))
_teams = sa.table(
    "teams",
    sa.column("id"),
    sa.column("name"),
    sa.column("name_key"),
    sa.column("members", sa.JSON),
    sa.column("roles", sa.JSON),
)
_roles = sa.table("roles", sa.column("name"), sa.column("permissions", sa.JSON))


def upgrade() -> None:
    conn = op.get_bind()
    users = conn.execute(sa.select(_users.c.username, _users.c.is_admin).order_by(_users.c.id)).all()
    if all(user.is_admin for user in users):
        return  # a new installation, or one of administrators only: nobody to keep in
    taken = conn.execute(sa.select(_teams.c.id).where(_teams.c.name_key == TEAM.lower())).first()
    if taken is None:
        members = [user.username for user in users]
        conn.execute(_teams.insert().values(name=TEAM, name_key=TEAM.lower(), members=members, roles=ROLES))
    _refresh_grants(conn)


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(_teams.delete().where(_teams.c.name_key == TEAM.lower()))
    _refresh_grants(conn)


def _refresh_grants(conn: Any) -> None:
    """Every user's grants from the teams and roles as they are now (`store.access.refresh_grants`, run here
    on Alembic's synchronous connection)."""
    teams = [
        Team(
            row.name,
            tuple(row.members),
            tuple(
                TeamRole(r["role"], tuple(r.get("environments", ())), tuple(r.get("projects", ()))) for r in row.roles
            ),
        )
        for row in conn.execute(sa.select(_teams.c.name, _teams.c.members, _teams.c.roles))
    ]
    custom = [
        Role(row.name, frozenset(Permission(p) for p in row.permissions if p in Permission._value2member_map_))
        for row in conn.execute(sa.select(_roles))
    ]
    for row in conn.execute(sa.select(_users.c.id, _users.c.username)).all():
        grants = grants_to_json(grants_of(row.username, teams, custom))
        conn.execute(_users.update().where(_users.c.id == row.id).values(grants=grants))
