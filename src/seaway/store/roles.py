"""Custom roles: a name and a set of permissions. The built-in roles are the domain's and are not stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from seaway.domain.permissions import Permission
from seaway.domain.roles import Role
from seaway.store.base import Repository
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection
from seaway.store.tables import roles as t


def _from_row(row: Any) -> Role:
    permissions = frozenset(Permission(p) for p in row.permissions if p in Permission._value2member_map_)
    return Role(name=row.name, permissions=permissions, description=row.description, id=row.id)


class RoleRepository(Repository):
    def __init__(self, conn: StoreConnection, cipher: Cipher, on_change: Callable[[], None]) -> None:
        super().__init__(conn, cipher)
        self._on_change = on_change  # custom roles feed every member's grants

    async def list(self) -> list[Role]:
        return [_from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.id))]

    async def get(self, role_id: int) -> Role:
        return _from_row(await self._one(sa.select(t).where(t.c.id == role_id), "role", role_id))

    async def find_by_name(self, name: str) -> Role | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return _from_row(row) if row else None

    async def add(self, role: Role) -> Role:
        self._on_change()
        new_id = await self._insert(t, self._values(role))
        return Role(role.name, role.permissions, role.description, id=new_id)

    async def save(self, role: Role) -> Role:
        assert role.id is not None
        self._on_change()
        await self.conn.execute(t.update().where(t.c.id == role.id).values(**self._values(role)))
        return role

    async def delete(self, role_id: int) -> None:
        await self.get(role_id)
        self._on_change()
        await self.conn.execute(t.delete().where(t.c.id == role_id))

    @staticmethod
    def _values(role: Role) -> dict[str, Any]:
        return {
            "name": role.name,
            "name_key": role.name.lower(),
            "description": role.description,
            "permissions": sorted(str(p) for p in role.permissions),
        }
