"""Key paths into a parsed JSON or YAML document: `Logging:LogLevel:Default`, `Servers:0:Url`.

Every node has a path, objects and arrays too (a variable naming one replaces the whole subtree). Only
paths that exist are replaced: a variable never adds a key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from seaway.packages.structured.base import Edit, VariableLookup

Convert = Callable[[Any, str], Any]  # (the value in the file, the variable's text) -> the value to write


@dataclass(frozen=True)
class Slot:
    path: str  # as written in the file
    container: dict[Any, Any] | list[Any]
    key: Any
    ancestors: tuple[str, ...]  # the lowered paths of the nodes holding this one


def slots(document: Any) -> Iterator[Slot]:
    """Every addressable node of `document`, parents before their children."""
    stack: list[tuple[Any, str, tuple[str, ...]]] = [(document, "", ())]
    while stack:
        node, path, ancestors = stack.pop()
        children: list[tuple[Any, Any]]
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        inner = (*ancestors, path.lower()) if path else ancestors
        found = []
        for key, value in children:
            child_path = f"{path}:{key}" if path else str(key)
            found.append((Slot(child_path, node, key, inner), value))
        yield from (slot for slot, _ in found)
        for slot, value in reversed(found):
            stack.append((value, slot.path, slot.ancestors))


def replace_in_tree(document: Any, lookup: VariableLookup, convert: Convert, edit: Edit) -> bool:
    """Replace the values whose paths name a variable; True if any was. A subtree replaced whole wins over
    variables naming keys inside it."""
    matched = [(slot, name) for slot in slots(document) if (name := lookup.name_of(slot.path)) is not None]
    matched.sort(key=lambda pair: len(pair[0].ancestors))
    replaced: set[str] = set()
    for slot, name in matched:
        if any(ancestor in replaced for ancestor in slot.ancestors):
            continue
        container: Any = slot.container
        try:
            container[slot.key] = convert(container[slot.key], lookup.value(name))
        except ValueError as exc:
            edit.warnings.append(f"Unable to set the value of {slot.path}: {exc}")
            continue
        replaced.add(slot.path.lower())
        edit.keys.append(slot.path)
    return bool(replaced)


_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def as_number(text: str) -> int | float | None:
    """The number `text` spells (a whole number stays whole), or None."""
    cleaned = text.strip()
    if _INTEGER.fullmatch(cleaned):
        return int(cleaned)
    if _DECIMAL.fullmatch(cleaned):
        return float(cleaned)
    return None


def as_boolean(text: str) -> bool | None:
    cleaned = text.strip().lower()
    return {"true": True, "false": False}.get(cleaned)
