"""Environments: the ordered places a release is promoted through (Dev → Test → Prod)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from seaway.errors import InvalidInput


@dataclass(frozen=True)
class Environment:
    name: str
    sort_order: int = 0
    description: str = ""
    id: int | None = None
    tags: tuple[str, ...] = ()  # domain/tags.py: what approval policies may be scoped on


def validate_name(name: str, *, field: str = "name", what: str = "name") -> str:
    """Names are matched by config-as-code, so they must be non-empty and free of edge whitespace."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{what} must be a non-empty string", field=field)
    if name != name.strip():
        raise InvalidInput(f"{what} {name!r} has leading or trailing spaces", field=field)
    if len(name) > 200:
        raise InvalidInput(f"{what} is longer than 200 characters", field=field)
    if any(unicodedata.category(ch) == "Cc" for ch in name):  # tabs, newlines, escapes, NUL
        raise InvalidInput(f"{what} {name!r} contains a control character", field=field)
    return name


def ordered(environments: Sequence[Environment]) -> list[Environment]:
    return sorted(environments, key=lambda e: (e.sort_order, e.name.lower()))
