"""What every repository shares: a connection in the unit of work's transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from seaway.errors import NotFound
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection


class Repository:
    def __init__(self, conn: StoreConnection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    async def _one(self, stmt: sa.Select[Any], entity: str, ident: object) -> sa.Row[Any]:
        row: sa.Row[Any] | None = (await self.conn.execute(stmt)).first()
        if row is None:
            raise NotFound(f"{entity} {ident} does not exist", entity=entity, id=str(ident))
        return row

    async def _insert(self, table: sa.Table, values: dict[str, Any]) -> int:
        result = await self.conn.execute(table.insert().values(**values).returning(table.c.id))
        return int(result.scalar_one())
