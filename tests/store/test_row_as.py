"""Reading a record from a row: same-named columns, and what is stored otherwise (no database: the mapping
is the same on both)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType, SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from seaway.store.base import row_as, values_of


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


@dataclass(frozen=True)
class _Typed:
    colour: _Colour
    maybe_colour: _Colour | None
    names: tuple[str, ...]
    counts: dict[str, int]


def test_a_column_is_read_as_its_fields_type() -> None:
    record = row_as(_Typed, _row(colour="red", maybe_colour="red", names=["a", "b"], counts={"a": 1}))
    assert record == _Typed(_Colour.RED, _Colour.RED, ("a", "b"), {"a": 1})
    assert isinstance(record.colour, _Colour) and isinstance(record.maybe_colour, _Colour)


def test_none_stays_none_for_an_optional_field() -> None:
    assert row_as(_Typed, _row(colour="red", maybe_colour=None, names=[], counts={})).maybe_colour is None


def test_a_prefix_reads_a_joined_tables_labelled_columns() -> None:
    row = _row(id=9, item_name="a", item_colour="red", item_kind="k")
    assert row_as(_Record, row, prefix="item_", id=row.id) == _Record("a", _Colour.RED, "k", 9)


def test_values_of_gives_the_fields_that_are_columns_as_stored_never_the_id() -> None:
    table = sa.Table("typed", sa.MetaData(), sa.Column("id", sa.Integer), *(sa.Column(n) for n in ("colour", "names")))
    record = _Typed(_Colour.RED, None, ("a",), {})
    assert values_of(record, table) == {"colour": "red", "names": ["a"]}
    assert values_of(record, table, names=["b"], extra=1) == {"colour": "red", "names": ["b"], "extra": 1}


def test_values_of_gives_a_mapping_as_a_dict() -> None:
    table = sa.Table("counted", sa.MetaData(), sa.Column("counts"))
    record = _Typed(_Colour.RED, None, (), MappingProxyType({"a": 1}))  # type: ignore[arg-type]
    assert values_of(record, table) == {"counts": {"a": 1}}
    assert type(values_of(record, table)["counts"]) is dict
