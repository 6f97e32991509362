"""What every repository shares: a connection in the unit of work's transaction."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar, Protocol, TypeVar

import sqlalchemy as sa

from seaway.errors import NotFound
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


Record = TypeVar("Record", bound=_Dataclass)


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


def row_as(kind: type[Record], row: Any, /, **stored_otherwise: object) -> Record:
    """The `kind` a row holds: each field from the column of its name, or as `stored_otherwise` gives it (a
    column by another name, an enum, a decrypted value)."""
    columns = row._mapping
    same = {f.name: columns[f.name] for f in fields(kind) if f.name not in stored_otherwise}
    return kind(**same, **stored_otherwise)
