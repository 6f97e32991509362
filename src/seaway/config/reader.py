"""Reading an untyped YAML/JSON tree with errors that name the path of the bad value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seaway.errors import InvalidInput


class Node:
    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.path}: {message}" if self.path else message, field=self.path or None)

    def child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def mapping(self, allowed: set[str], required: set[str] = frozenset()) -> dict[str, Node]:  # type: ignore[assignment]
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {_kind(self.value)}")
        result: dict[str, Node] = {}
        for key, value in self.value.items():
            if not isinstance(key, str):
                raise self.fail(f"keys must be strings, got {key!r}")
            if key not in allowed:
                raise Node(value, self.child_path(key)).fail(
                    f'unknown key "{key}" (expected one of: {", ".join(sorted(allowed))})'
                )
            result[key] = Node(value, self.child_path(key))
        for key in sorted(required):
            if key not in result:
                raise Node(None, self.child_path(key)).fail("is required")
        return result

    def items(self) -> Iterator[Node]:
        if self.value is None:
            return iter(())
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {_kind(self.value)}")
        return (Node(v, self.child_path(i)) for i, v in enumerate(self.value))

    def string(self, *, allow_empty: bool = False) -> str:
        value = self.value
        if isinstance(value, bool) or value is None or isinstance(value, list | dict):
            raise self.fail(f"expected a string, got {_kind(value)}")
        text = str(value)  # numbers are accepted as text: `value: 8081` means "8081"
        if not allow_empty and not text.strip():
            raise self.fail("must not be empty")
        if "\x00" in text:  # no database stores it the same way (PostgreSQL not at all)
            raise self.fail("must not contain NUL characters")
        return text

    def strings(self) -> tuple[str, ...]:
        if isinstance(self.value, str):
            return (self.string(),)
        return tuple(n.string() for n in self.items())

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def integer(self, minimum: int | None = None, maximum: int = 2**31 - 1) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected a whole number, got {_kind(self.value)}")
        if minimum is not None and self.value < minimum:
            raise self.fail(f"must be at least {minimum}")
        if self.value > maximum:  # the store keeps 32-bit integers
            raise self.fail(f"must be at most {maximum}")
        return self.value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f'"{value}"'
