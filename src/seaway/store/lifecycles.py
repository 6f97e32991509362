from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from seaway.domain.lifecycles import Lifecycle
from seaway.store.base import Repository
from seaway.store.codecs import phase_from_json, phase_to_json
from seaway.store.tables import lifecycles as t


def _from_row(row: Any) -> Lifecycle:
    return Lifecycle(name=row.name, phases=tuple(phase_from_json(p) for p in row.phases), id=row.id)


class LifecycleRepository(Repository):
    async def list(self) -> list[Lifecycle]:
        return [_from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.id))]

    async def get(self, lifecycle_id: int) -> Lifecycle:
        return _from_row(await self._one(sa.select(t).where(t.c.id == lifecycle_id), "lifecycle", lifecycle_id))

    async def find_by_name(self, name: str) -> Lifecycle | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return _from_row(row) if row else None

    async def add(self, lifecycle: Lifecycle) -> Lifecycle:
        new_id = await self._insert(t, self._values(lifecycle))
        return Lifecycle(lifecycle.name, lifecycle.phases, new_id)

    async def save(self, lifecycle: Lifecycle) -> Lifecycle:
        assert lifecycle.id is not None
        await self.conn.execute(t.update().where(t.c.id == lifecycle.id).values(**self._values(lifecycle)))
        return lifecycle

    async def delete(self, lifecycle_id: int) -> None:
        await self.get(lifecycle_id)
        await self.conn.execute(t.delete().where(t.c.id == lifecycle_id))

    @staticmethod
    def _values(lifecycle: Lifecycle) -> dict[str, Any]:
        return {
            "name": lifecycle.name,
            "name_key": lifecycle.name.lower(),
            "phases": [phase_to_json(p) for p in lifecycle.phases],
        }
