"""The variable tree: every variable name is a path, and all of them are folded into one tree.

`Octopus.Action[Package A].Name` becomes the steps `Octopus` › `Action` › index `Package A` ›
`Name`. Each node has an optional value, named children and an ordered map of index entries; an
index node starts out with its own index text as its value, which is why `#{each a in
Octopus.Action}` gives `#{a}` = `Package A`. Names compare case-insensitively; the later of two
definitions that differ only in case wins.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache

from seaway.domain.templates.ast import Identifier, Indexer, Step
from seaway.domain.templates.expressions import ExpressionParser, Failure
from seaway.domain.templates.names import fold

NO_JSON = object()


class Node:
    """One point of the tree (or of a JSON value reached through it)."""

    __slots__ = ("children", "indexes", "json", "key", "label", "value")

    def __init__(self, value: str | None = None, key: Hashable = (), label: str = "") -> None:
        self.value = value
        self.children: dict[str, Node] = {}
        self.indexes: dict[str, Node] = {}
        # Identifies the node for recursion detection: its folded path (or how it was derived).
        self.key = key
        # The index text as first written, for index nodes.
        self.label = label
        # For a node made from a JSON value: that value, so looking into it needs no second parse.
        self.json: object = NO_JSON


@lru_cache(maxsize=65536)
def parse_name(name: str) -> tuple[Step, ...] | None:
    """The path a variable name stands for, or None when the name is not a path (`""`, `" "`)."""
    parser = ExpressionParser(name)
    try:
        symbol, end = parser.symbol(0)
    except Failure:
        return None
    if end != len(name) or any(isinstance(s, Indexer) and s.symbol is not None for s in symbol.steps):
        return None
    return symbol.steps


class VariableTree:
    """Variables folded into a tree, in definition order (see `VariableSet`, which also evaluates them)."""

    def __init__(self, variables: Mapping[str, str | None] | Iterable[tuple[str, str | None]] = ()) -> None:
        self.root = Node()
        # Every node by its folded path, so a plain `#{A.B[c].D}` is one dictionary look-up.
        self.paths: dict[Hashable, Node] = {(): self.root}
        self._raw: dict[str, tuple[str, str]] = {}
        pairs = variables.items() if isinstance(variables, Mapping) else variables
        for name, value in pairs:
            self._define(name, "" if value is None else value)

    def _define(self, name: str, value: str) -> None:
        self._raw[fold(name)] = (name, value)
        steps = parse_name(name)
        if steps is None:
            return
        node = self.root
        key: tuple[str, ...] = ()
        for step in steps:
            if isinstance(step, Identifier):
                part = fold(step.text)
                key = (*key, part)
                child = node.children.get(part)
                if child is None:
                    child = node.children[part] = self.paths[key] = Node(key=key, label=step.text)
            else:
                part = fold(step.index)
                key = (*key, "[" + part)
                child = node.indexes.get(part)
                if child is None:
                    child = Node(step.index, key=key, label=step.index)
                    node.indexes[part] = self.paths[key] = child
            node = child
        node.value = value

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and fold(name) in self._raw

    def names(self) -> tuple[str, ...]:
        """The variable names, as last defined, in definition order."""
        return tuple(name for name, _ in self._raw.values())

    def raw(self, name: str) -> str | None:
        """The value as defined, not evaluated; None if the name is not defined."""
        entry = self._raw.get(fold(name))
        return None if entry is None else entry[1]

    def indexes(self, path: str) -> tuple[str, ...]:
        """The index names directly under `path`, in definition order: `Octopus.Action` → step names."""
        steps = parse_name(path)
        if steps is None:
            return ()
        node: Node | None = self.root
        for step in steps:
            assert node is not None
            if isinstance(step, Identifier):
                node = node.children.get(fold(step.text))
            else:
                node = node.indexes.get(fold(step.index))
            if node is None:
                return ()
        assert node is not None
        return tuple(child.label for child in node.indexes.values())
