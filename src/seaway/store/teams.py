from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from seaway.domain.users import Team
from seaway.store.base import Repository
from seaway.store.codecs import Cipher, role_from_json, role_to_json
from seaway.store.database import StoreConnection
from seaway.store.tables import teams as t


def _from_row(row: Any) -> Team:
    return Team(name=row.name, members=tuple(row.members), roles=tuple(role_from_json(r) for r in row.roles), id=row.id)


class TeamRepository(Repository):
    def __init__(self, conn: StoreConnection, cipher: Cipher, on_change: Callable[[], None]) -> None:
        super().__init__(conn, cipher)
        self._on_change = on_change  # a team's members and roles are its members' grants

    async def list(self) -> list[Team]:
        return [_from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.id))]

    async def get(self, team_id: int) -> Team:
        return _from_row(await self._one(sa.select(t).where(t.c.id == team_id), "team", team_id))

    async def find_by_name(self, name: str) -> Team | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return _from_row(row) if row else None

    async def add(self, team: Team) -> Team:
        self._on_change()
        new_id = await self._insert(t, self._values(team))
        return Team(team.name, team.members, team.roles, new_id)

    async def save(self, team: Team) -> Team:
        assert team.id is not None
        self._on_change()
        await self.conn.execute(t.update().where(t.c.id == team.id).values(**self._values(team)))
        return team

    async def delete(self, team_id: int) -> None:
        await self.get(team_id)
        self._on_change()
        await self.conn.execute(t.delete().where(t.c.id == team_id))

    @staticmethod
    def _values(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "name_key": team.name.lower(),
            "members": list(team.members),
            "roles": [role_to_json(r) for r in team.roles],
        }
