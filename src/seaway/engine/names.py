"""Names are unique among their kind, case-insensitively: the one rule every named resource shares."""

from __future__ import annotations

from typing import Protocol

from seaway.errors import Conflict


class Named(Protocol):
    @property
    def id(self) -> int | None: ...


def refuse_name_clash(clash: Named | None, own_id: int | None, what: str, *, field: str = "name") -> None:
    """Another object already using this name (`clash`, found by name) is a conflict; the object itself is not."""
    if clash is not None and clash.id != own_id:
        raise Conflict(f"{what} already exists", field=field)
