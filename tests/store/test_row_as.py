"""Reading a record from a row: same-named columns, and what is stored otherwise (no database: the mapping
is the same on both)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

import pytest

from seaway.store.base import row_as


class _Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class _Record:
    name: str
    colour: _Colour
    kind: str
    id: int | None = None


def _row(**columns: object) -> Any:
    """What a repository reads: a row's columns by attribute and by name (`_mapping`)."""
    return SimpleNamespace(_mapping=columns, **columns)


def test_each_field_comes_from_the_column_of_its_name_unless_given() -> None:
    row = _row(name="a", colour="red", other_kind="b", id=3)
    record = row_as(_Record, row, colour=_Colour(row.colour), kind=row.other_kind)
    assert record == _Record(name="a", colour=_Colour.RED, kind="b", id=3)
    assert isinstance(record.colour, _Colour)


def test_a_field_the_row_lacks_is_an_error_not_a_default() -> None:
    with pytest.raises(KeyError):
        row_as(_Record, _row(name="a", colour="red", kind="b"))
