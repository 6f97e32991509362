"""What every repository shares: a connection in the unit of work's transaction."""

from __future__ import annotations

import builtins
import types
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from enum import Enum
from functools import cache
from typing import Any, ClassVar, Generic, Protocol, TypeVar, Union, get_args, get_origin, get_type_hints

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


def row_as(kind: type[Record], row: Any, /, *, prefix: str = "", **stored_otherwise: object) -> Record:
    """The `kind` a row holds: each field from the column of its name (after `prefix`, for a joined table's
    columns), or as `stored_otherwise` gives it (a column by another name, a decrypted value, a JSON codec).

    A column's value is read as its field's type where the column stores it otherwise: a JSON list for a
    `tuple[...]` field becomes a tuple, a string for an enum field becomes the member; None stays None."""
    columns = row._mapping
    same: dict[str, object] = {}
    for name, read in _readers(kind):
        if name not in stored_otherwise:
            value = columns[prefix + name]
            same[name] = value if value is None else read(value)
    return kind(**same, **stored_otherwise)


def values_of(record: _Dataclass, table: sa.Table, /, **stored_otherwise: object) -> dict[str, Any]:
    """A record's fields that are columns of `table`, as column values (an enum as its value, a tuple as a list,
    a mapping as a dict), with what `stored_otherwise` gives (a column by another name, an encrypted value, a
    JSON codec). Never the id: the database gives it, and an update finds the row by it."""
    values: dict[str, Any] = {}
    for f in fields(record):
        if f.name != "id" and f.name in table.c and f.name not in stored_otherwise:
            values[f.name] = _column_value(getattr(record, f.name))
    return values | stored_otherwise


def _column_value(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _as_is(value: object) -> object:
    return value


@cache
def _readers(kind: type[_Dataclass]) -> tuple[tuple[str, Callable[[Any], object]], ...]:
    """Per field of `kind`: its name and how a (non-None) column value becomes its value. Resolved once per
    class: the annotations are strings until `get_type_hints` evaluates them."""
    hints = get_type_hints(kind)
    return tuple((f.name, _reader(hints[f.name])) for f in fields(kind))


def _reader(hint: object) -> Callable[[Any], object]:
    """How a column stores a field of this type otherwise: JSON has no tuples, a string column holds an enum's
    value. An optional field is read as its type (None is never read)."""
    if get_origin(hint) in (Union, types.UnionType):
        present = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(present) != 1:
            return _as_is
        (hint,) = present
    if get_origin(hint) is tuple:
        return tuple
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    return _as_is
