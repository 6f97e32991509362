"""What every format's replacer takes and returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class NotThisFormat(Exception):
    """The file does not parse in this format; the next format may be tried."""


@dataclass
class Edit:
    data: bytes | None = None  # the new content, or None when nothing changed
    keys: list[str] = field(default_factory=list)  # the keys (paths, XPaths) whose values were replaced
    warnings: list[str] = field(default_factory=list)


def is_reserved(name: str) -> bool:
    """Octopus's own variables (`Octopus.Environment.Name`) would otherwise match keys of the same name; a
    name such as `Octopus:Port` is meant as a key path, so it counts."""
    lowered = name.lower()
    return lowered.startswith("octopus") and not lowered.startswith("octopus:")


class VariableLookup:
    """The variables that may replace keys, found by name whatever its case; values are read only for the
    names that match (they may be evaluated on reading)."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self._variables = variables
        self._by_name = {name.lower(): name for name in variables if not is_reserved(name)}

    @property
    def names(self) -> list[str]:
        return list(self._by_name.values())

    def name_of(self, key: str) -> str | None:
        return self._by_name.get(key.lower())

    def value(self, name: str) -> str:
        return self._variables[name]
