from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from seaway.domain.environments import Environment
from seaway.store.base import Repository, row_as
from seaway.store.tables import environments as t


def _from_row(row: Any) -> Environment:
    return row_as(Environment, row)


class EnvironmentRepository(Repository):
    async def list(self) -> list[Environment]:
        rows = await self.conn.execute(sa.select(t).order_by(t.c.sort_order, t.c.name_key))
        return [_from_row(r) for r in rows]

    async def get(self, environment_id: int) -> Environment:
        return _from_row(await self._one(sa.select(t).where(t.c.id == environment_id), "environment", environment_id))

    async def find_by_name(self, name: str) -> Environment | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return _from_row(row) if row else None

    async def get_by_name(self, name: str) -> Environment:
        return _from_row(await self._one(sa.select(t).where(t.c.name_key == name.lower()), "environment", name))

    async def add(self, env: Environment) -> Environment:
        new_id = await self._insert(
            t,
            {
                "name": env.name,
                "name_key": env.name.lower(),
                "sort_order": env.sort_order,
                "description": env.description,
                "tags": list(env.tags),
            },
        )
        return Environment(env.name, env.sort_order, env.description, new_id, env.tags)

    async def save(self, env: Environment) -> Environment:
        assert env.id is not None
        await self.conn.execute(
            t.update()
            .where(t.c.id == env.id)
            .values(
                name=env.name,
                name_key=env.name.lower(),
                sort_order=env.sort_order,
                description=env.description,
                tags=list(env.tags),
            )
        )
        return env

    async def delete(self, environment_id: int) -> None:
        await self.get(environment_id)
        await self.conn.execute(t.delete().where(t.c.id == environment_id))
