"""Evaluating a parsed template against a variable set.

Resolution walks a symbol's steps from the root of the innermost scope (an `#{each}` body is a scope
over the enclosing one). A step that finds no child or index entry tries the current value as JSON.
If the walk fails in a scope, the whole symbol is retried in the enclosing one. The value found is
itself a template, evaluated in the scope where it was found; a value that (directly or through
others) needs itself raises `RecursiveDefinition`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import datetime

from seaway.domain.templates import ast, json_values
from seaway.domain.templates.binding import NO_JSON, Node, VariableTree
from seaway.domain.templates.filters import FilterContext, invoke
from seaway.domain.templates.names import WHITESPACE_CHARS, fold
from seaway.domain.templates.net_double import format_double, parse_double
from seaway.domain.templates.parser import ParseError, parse_outcome
from seaway.domain.templates.results import RecursiveDefinition, TemplateTooDeep

# How many values may be evaluated inside one another; far beyond any real chain of variables, and
# well inside Python's own recursion limit.
MAX_DEPTH = 120

_EACH_INDEX, _EACH_FIRST, _EACH_LAST = "INDEX", "FIRST", "LAST"


class Scope:
    __slots__ = ("parent", "paths", "root")

    def __init__(self, root: Node, parent: Scope | None = None, paths: dict[Hashable, Node] | None = None) -> None:
        self.root = root
        self.parent = parent
        self.paths = paths


def is_truthy(value: str) -> bool:
    """Octopus truthiness: anything but `""`, `"0"`, `"false"` and `"no"` (trimmed, any case)."""
    if value in ("", "0"):
        return False
    return value.strip(WHITESPACE_CHARS).lower() not in ("false", "no")


class Evaluator:
    """One evaluation: its output is built by `render`, its unresolved tokens collect in `missing`."""

    def __init__(self, variables: VariableTree, now: datetime) -> None:
        self.scope = Scope(variables.root, paths=variables.paths)
        self.context = FilterContext(now)
        self.missing: list[str] = []
        self.null_seen = False
        self._stack: list[Hashable] = []
        self._on_stack: set[Hashable] = set()
        self._names: list[str] = []

    # -- tokens -----------------------------------------------------------------------------------

    def render(self, tokens: tuple[ast.Token, ...], scope: Scope, out: list[str]) -> None:
        for token in tokens:
            if type(token) is ast.Text:
                out.append(token.text)
            elif type(token) is ast.Substitution:
                self._substitute(token, scope, out)
            elif type(token) is ast.Conditional:
                self._conditional(token, scope, out)
            elif type(token) is ast.Each:
                self._each(token, scope, out)
            elif type(token) is ast.Calc:
                self._calc(token, scope, out)

    def _substitute(self, token: ast.Substitution, scope: Scope, out: list[str]) -> None:
        expression = token.expression
        value = self.calculate(expression, scope)
        if value is not None:
            out.append(value)
            return
        if isinstance(expression, ast.FilterCall) and expression.name == "null":
            self.null_seen = True
            return
        text = str(token)
        self.missing.append(text)
        out.append(text)

    def _conditional(self, token: ast.Conditional, scope: Scope, out: list[str]) -> None:
        condition = token.condition
        left = self._side(condition.left, scope)
        if left is None:
            self._echo_conditional(token, condition.left, out)
            return
        if condition.equal is None:
            chosen = is_truthy(left)
        else:
            right_side = condition.right
            right = right_side if isinstance(right_side, str) else self._side(right_side, scope)
            if right is None:
                assert right_side is not None and not isinstance(right_side, str)
                self._echo_conditional(token, right_side, out)
                return
            chosen = (left == right) == condition.equal
        self.render(token.truthy if chosen else token.falsy, scope, out)

    def _side(self, expression: ast.Expression | None, scope: Scope) -> str | None:
        """A condition side: a missing symbol is `""`; a filter chain that fails is None."""
        assert expression is not None
        if isinstance(expression, ast.Symbol):
            value = self.resolve(expression, scope)
            return "" if value is None else value
        return self.calculate(expression, scope)

    def _echo_conditional(self, token: ast.Conditional, failed: ast.Expression, out: list[str]) -> None:
        self.missing.append(str(failed))
        out.append(str(token))

    def _each(self, token: ast.Each, scope: Scope, out: list[str]) -> None:
        items = self.resolve_all(token.collection, scope)
        last = len(items) - 1
        name = fold(token.enumerator)
        for i, item in enumerate(items):
            each = Node()
            each.children = {
                _EACH_INDEX: Node(str(i)),
                _EACH_FIRST: Node("True" if i == 0 else "False"),
                _EACH_LAST: Node("True" if i == last else "False"),
            }
            template = Node()
            template.children = {"EACH": each}
            octopus = Node()
            octopus.children = {"TEMPLATE": template}
            local = Node()
            local.children = {"OCTOPUS": octopus, name: item}
            self.render(token.body, Scope(local, scope), out)

    def _calc(self, token: ast.Calc, scope: Scope, out: list[str]) -> None:
        value = self._arithmetic(token.expression, scope)
        if value is None:
            text = str(token)
            self.missing.append(text)
            out.append(text)
        else:
            out.append(format_double(value))

    def _arithmetic(self, node: ast.CalcNode, scope: Scope) -> float | None:
        if isinstance(node, ast.CalcConstant):
            return node.value
        if isinstance(node, ast.CalcOperation):
            left = self._arithmetic(node.left, scope)
            if left is None:
                return None
            right = self._arithmetic(node.right, scope)
            if right is None:
                return None
            return _apply(node.operator, left, right)
        text = self.resolve(node.symbol, scope)
        return None if text is None else parse_double(text)

    # -- expressions ------------------------------------------------------------------------------

    def calculate(self, expression: ast.Expression, scope: Scope) -> str | None:
        """A symbol's value, or a filter chain's result; None when there is none."""
        if isinstance(expression, ast.Symbol):
            return self.resolve(expression, scope) if expression.steps else None
        argument = self.calculate(expression.argument, scope)
        options = [self._option(option, scope) for option in expression.options]
        return invoke(expression.name, argument, options, self.context)

    def _option(self, option: ast.Token, scope: Scope) -> str:
        if isinstance(option, ast.Text):
            return option.text
        out: list[str] = []
        self.render((option,), scope, out)
        return "".join(out)

    # -- resolution -------------------------------------------------------------------------------

    def resolve(self, symbol: ast.Symbol, scope: Scope) -> str | None:
        """The evaluated value of `symbol`, or None when it is missing or has no value."""
        found = self.find(symbol, scope)
        if found is None:
            return None
        node, where = found
        return self.value_of(node, where, symbol)

    def find(self, symbol: ast.Symbol, scope: Scope) -> tuple[Node, Scope] | None:
        steps, key = symbol.steps, symbol.key
        if key is None:
            resolved = self._resolve_indexers(steps, scope)
            if resolved is None:
                return None
            steps, key = resolved, ast.path_key(resolved)
        current: Scope | None = scope
        while current is not None:
            if key is not None and current.paths is not None:
                node = current.paths.get(key)
                if node is not None:
                    return node, current
            node = self._walk(steps, current)
            if node is not None:
                return node, current
            current = current.parent
        return None

    def _resolve_indexers(self, steps: tuple[ast.Step, ...], scope: Scope) -> tuple[ast.Step, ...] | None:
        """Replace each `[#{X}]` by the value of X; None when an X has no value."""
        resolved: list[ast.Step] = []
        for step in steps:
            if isinstance(step, ast.Indexer) and step.symbol is not None:
                mark, null_seen = len(self.missing), self.null_seen
                index = self.resolve(step.symbol, scope)
                del self.missing[mark:]
                self.null_seen = null_seen
                if index is None:
                    return None
                step = ast.Indexer(index=index)
            resolved.append(step)
        return tuple(resolved)

    def _walk(self, steps: tuple[ast.Step, ...], scope: Scope) -> Node | None:
        node = scope.root
        for step in steps:
            if isinstance(step, ast.Identifier):
                name = step.text
                found = node.children.get(fold(name))
            else:
                name = step.index
                if name == "*" and node.indexes:
                    found = next(iter(node.indexes.values()))
                else:
                    found = node.indexes.get(fold(name))
            if found is None:
                found = self._json_step(node, name, scope)
                if found is None:
                    return None
            node = found
        return node

    def _json_step(self, node: Node, name: str, scope: Scope) -> Node | None:
        """`name` looked up in the node's value read as JSON, when the tree has no such child."""
        text = node.value
        if not text or not name:
            return None
        data = node.json
        if data is NO_JSON or "#{" in text:
            if "#{" in text:
                mark, null_seen = len(self.missing), self.null_seen
                try:
                    evaluated = self._evaluate_value(node, scope, text)
                except RecursiveDefinition:
                    # A self-reference met while reading a value as JSON makes that look-up fail.
                    return None
                finally:
                    del self.missing[mark:]
                    self.null_seen = null_seen
                text = text if evaluated is None else evaluated
            data = json_values.parse_json(text)
            if data is json_values.INVALID:
                return None
        value = json_values.child(data, name)
        if value is json_values.MISSING:
            return None
        return _json_node(value, (node.key, name))

    def resolve_all(self, collection: ast.Symbol, scope: Scope) -> list[Node]:
        """The items `#{each}` iterates over."""
        found = self.find(collection, scope)
        if found is None:
            return []
        node, where = found
        if node.indexes:
            return list(node.indexes.values())
        value = self.value_of(node, where, collection)
        if value is None:
            return []
        data = json_values.parse_json(value) if value else json_values.INVALID
        entries = json_values.items(data)
        if entries is None:
            return [Node(part, key=(node.key, "split", i)) for i, part in enumerate(value.split(","))]
        if isinstance(data, dict):
            items = []
            for i, (name, element) in enumerate(entries):
                item = Node(name, key=(node.key, "each", i))
                item.children = {
                    "KEY": Node(name, key=(item.key, "Key")),
                    "VALUE": _json_node(element, (item.key, "Value")),
                }
                items.append(item)
            return items
        return [_json_node(element, (node.key, "each", i)) for i, (_, element) in enumerate(entries)]

    def value_of(self, node: Node, scope: Scope, symbol: ast.Symbol) -> str | None:
        """The node's value evaluated as a template (its unresolved tokens count as this evaluation's)."""
        raw = node.value
        if raw is None or "#{" not in raw:
            return raw
        null_seen = self.null_seen
        try:
            evaluated = self._evaluate_value(node, scope, raw, str(symbol))
        finally:
            self.null_seen = null_seen
        return raw if evaluated is None else evaluated

    def _evaluate_value(self, node: Node, scope: Scope, raw: str, name: str = "") -> str | None:
        """Evaluate a stored value; None when it does not parse (it is then used as it is)."""
        outcome = parse_outcome(raw, True)
        if isinstance(outcome, ParseError):
            return None
        key = node.key
        if key in self._on_stack:
            raise RecursiveDefinition(name, (*self._names, name))
        if len(self._stack) >= MAX_DEPTH:
            raise TemplateTooDeep(f"Variable values nest more than {MAX_DEPTH} levels deep (at {name or key}).")
        self._stack.append(key)
        self._on_stack.add(key)
        self._names.append(name)
        try:
            out: list[str] = []
            self.render(outcome.tokens, scope, out)
            return "".join(out)
        finally:
            self._stack.pop()
            self._on_stack.discard(key)
            self._names.pop()


def _json_node(value: object, key: Hashable) -> Node:
    node = Node(json_values.value_text(value), key=key)
    if isinstance(value, dict | list):
        node.json = value
    return node


def _apply(operator: str, left: float, right: float) -> float:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if right == 0:
        # IEEE division, as .NET does it: ±Infinity, or NaN for 0/0.
        if left == 0 or math.isnan(left):
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right
