"""What every repository shares: a connection in the unit of work's transaction."""

from __future__ import annotations

import builtins
from dataclasses import fields, replace
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import sqlalchemy as sa

from seaway.errors import NotFound
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


Record = TypeVar("Record", bound=_Dataclass)


class _NamedRecord(_Dataclass, Protocol):
    @property
    def id(self) -> int | None: ...


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


Named = TypeVar("Named", bound=_NamedRecord)


class NamedRepository(Repository, Generic[Named]):
    """The records of a kind whose names are unique case-insensitively (its table's `name_key` column)."""

    table: ClassVar[sa.Table]
    entity: ClassVar[str]  # what a NotFound names

    def _record(self, row: Any) -> Named:
        raise NotImplementedError

    def _values(self, record: Named) -> dict[str, Any]:
        raise NotImplementedError

    def _select(self) -> sa.Select[Any]:
        return sa.select(self.table)

    async def list(self) -> builtins.list[Named]:
        return [self._record(r) for r in await self.conn.execute(self._select().order_by(self.table.c.name_key))]

    async def get(self, record_id: int) -> Named:
        return self._record(await self._one(self._select().where(self.table.c.id == record_id), self.entity, record_id))

    async def find_by_name(self, name: str) -> Named | None:
        row = (await self.conn.execute(self._select().where(self.table.c.name_key == name.lower()))).first()
        return self._record(row) if row else None

    async def get_by_name(self, name: str) -> Named:
        stmt = self._select().where(self.table.c.name_key == name.lower())
        return self._record(await self._one(stmt, self.entity, name))

    async def add(self, record: Named) -> Named:
        return replace(record, id=await self._insert(self.table, self._values(record)))

    async def save(self, record: Named) -> Named:
        assert record.id is not None
        await self.conn.execute(self.table.update().where(self.table.c.id == record.id).values(**self._values(record)))
        return record

    async def delete(self, record_id: int) -> None:
        await self.get(record_id)
        await self.conn.execute(self.table.delete().where(self.table.c.id == record_id))


def row_as(kind: type[Record], row: Any, /, **stored_otherwise: object) -> Record:
    """The `kind` a row holds: each field from the column of its name, or as `stored_otherwise` gives it (a
    column by another name, an enum, a decrypted value)."""
    columns = row._mapping
    same = {f.name: columns[f.name] for f in fields(kind) if f.name not in stored_otherwise}
    return kind(**same, **stored_otherwise)
