"""Each user's grants, kept resolved on the user's row.

A request reads its user in one indexed look-up (by API key or session); keeping the grants in that row
means authorizing it costs no query per team. They are recomputed in the transaction that changes a team,
a role or a user, before it commits, so a removed role stops working the moment the change is visible.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from seaway.domain.grants import Grant
from seaway.domain.roles import grants_of
from seaway.store.database import StoreConnection
from seaway.store.roles import _from_row as role_from_row
from seaway.store.tables import roles, teams, users
from seaway.store.teams import _from_row as team_from_row


def grants_to_json(grants: Sequence[Grant]) -> list[dict[str, Any]]:
    return [
        {
            "role": g.role,
            "team": g.team,
            "permissions": sorted(g.permissions),
            "projects": sorted(g.projects),
            "environments": sorted(g.environments),
        }
        for g in grants
    ]


def grants_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[Grant, ...]:
    return tuple(
        Grant(
            role=g["role"],
            team=g["team"],
            permissions=frozenset(g["permissions"]),
            projects=frozenset(g.get("projects", ())),
            environments=frozenset(g.get("environments", ())),
        )
        for g in data or ()
    )


@functools.lru_cache(maxsize=4096)
def grants_from_text(text: str | None) -> tuple[Grant, ...]:
    """The grants stored on a user's row, decoded once per distinct text: a user's grants are the same on
    every request until their teams change, and the decoded grants are immutable, so they can be shared."""
    return grants_from_json(json.loads(text)) if text else ()


async def refresh_grants(conn: StoreConnection) -> None:
    """Recompute every user's grants from the teams and roles as this transaction sees them."""
    all_teams = [team_from_row(r) for r in await conn.execute(sa.select(teams))]
    custom = [role_from_row(r) for r in await conn.execute(sa.select(roles))]
    for row in await conn.execute(sa.select(users.c.id, users.c.username, users.c.grants)):
        resolved = grants_to_json(grants_of(row.username, all_teams, custom))
        if resolved != list(row.grants or ()):
            await conn.execute(users.update().where(users.c.id == row.id).values(grants=resolved))
