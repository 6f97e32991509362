"""What every table of the schema shares: the metadata with its naming convention, UTC timestamps, and the
id and name columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timestamps are always timezone-aware UTC in Python, whatever the dialect stores."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value  # str: SQLite
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)


def table(name: str, *items: sa.schema.SchemaItem, **options: Any) -> sa.Table:
    """A table of the one schema (`metadata`, with its naming convention)."""
    return sa.Table(name, metadata, *items, **options)


def id_column() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def timestamp(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[datetime]:
    """A moment, timezone-aware UTC (`UtcDateTime`)."""
    return sa.Column(name, UtcDateTime, nullable=nullable, **options)


def json_column(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.JSON, nullable=nullable, **options)


def name_with_key(name: str, length: int, **key_options: Any) -> tuple[sa.Column[str], sa.Column[str]]:
    """A name as given and, in `<name>_key`, lower-cased: names are matched case-insensitively (as users and
    Octopus expect), by the key."""
    return (
        sa.Column(name, sa.String(length), nullable=False),
        sa.Column(f"{name}_key", sa.String(length), nullable=False, **key_options),
    )


def named_entity() -> tuple[sa.Column[int], sa.Column[str], sa.Column[str]]:
    """The id, name and name key of a table of things users refer to by name."""
    return (id_column(), *name_with_key("name", 200, unique=True))


def scoped_named_entity() -> tuple[sa.Column[Any], ...]:
    """A named resource that applies to some projects and environments (a policy, a freeze)."""
    return (
        *named_entity(),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        json_column("projects"),  # scope, by name; empty: every project
        json_column("environments"),
    )


def reference(
    name: str, table: str, *, on_delete: str | None = "CASCADE", nullable: bool = False, **options: Any
) -> sa.Column[int]:
    """A column holding the id of a row of `table` (None for `on_delete`: the database's default, NO ACTION)."""
    foreign_key = sa.ForeignKey(f"{table}.id", ondelete=on_delete)
    return sa.Column(name, sa.Integer, foreign_key, nullable=nullable, **options)
