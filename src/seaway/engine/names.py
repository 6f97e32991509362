"""Names are unique among their kind, case-insensitively: the one rule every named resource shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar

from seaway.errors import Conflict


class Named(Protocol):
    @property
    def id(self) -> int | None: ...


def refuse_while_used(kind: str, ref: str, name: str, users: Sequence[str], how: str, remedy: str) -> None:
    """A record that others still use (`users`, by name) is not deleted: a conflict saying how to free it."""
    if users:
        names = ", ".join(f'"{user}"' for user in users)
        raise Conflict(f'the {kind} "{name}" is {how} {names}; {remedy}', entity=kind, id=ref)


def refuse_name_clash(clash: Named | None, own_id: int | None, what: str, *, field: str = "name") -> None:
    """Another object already using this name (`clash`, found by name) is a conflict; the object itself is not."""
    if clash is not None and clash.id != own_id:
        raise Conflict(f"{what} already exists", field=field)


class NamedRecord(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...


Record = TypeVar("Record", bound=NamedRecord)


class NamedRecords(Protocol[Record]):
    async def find_by_name(self, name: str) -> Record | None: ...
    async def add(self, record: Record, /) -> Record: ...
    async def save(self, record: Record, /) -> Record: ...


async def add_named(records: NamedRecords[Record], record: Record, kind: str) -> Record:
    """Add `record` (checked already) unless its name is taken."""
    refuse_name_clash(await records.find_by_name(record.name), None, f'{kind} "{record.name}"')
    return await records.add(record)


async def save_named(records: NamedRecords[Record], record_id: int, record: Record, kind: str) -> Record:
    """Save `record` (checked already) as the one with `record_id` unless another has its name."""
    refuse_name_clash(await records.find_by_name(record.name), record_id, f'{kind} "{record.name}"')
    return await records.save(replace(record, id=record_id))
