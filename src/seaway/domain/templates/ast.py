"""The parsed form of a template, and each node's canonical text.

The canonical text matters at run time, not only for debugging: a substitution that cannot be
resolved is written back as its canonical text (`#{  foo|X}` echoes as `#{foo | X}`), and the error
string lists unresolved tokens in that form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from seaway.domain.templates.names import fold
from seaway.domain.templates.net_double import format_double


@dataclass(frozen=True, slots=True)
class Identifier:
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Indexer:
    """`[literal]`, or `[#{symbol}]` whose index is the value of another variable."""

    index: str = ""
    symbol: Symbol | None = None

    def __str__(self) -> str:
        return f"[#{{{self.symbol}}}]" if self.symbol is not None else f"[{self.index}]"


Step = Union[Identifier, Indexer]  # noqa: UP007 - the alias is evaluated at run time


def path_key(steps: tuple[Step, ...]) -> tuple[str, ...] | None:
    """The case-folded lookup key of a path, or None when it needs a run-time walk."""
    key: list[str] = []
    for step in steps:
        if isinstance(step, Identifier):
            key.append(fold(step.text))
        elif step.symbol is not None or step.index == "*":
            return None
        else:
            # Identifiers cannot start with "[", so the prefix keeps the two kinds of step apart.
            key.append("[" + fold(step.index))
    return tuple(key)


@dataclass(frozen=True, slots=True)
class Symbol:
    steps: tuple[Step, ...]
    key: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", path_key(self.steps))

    def __str__(self) -> str:
        parts: list[str] = []
        for i, step in enumerate(self.steps):
            if i and isinstance(step, Identifier):
                parts.append(".")
            parts.append(str(step))
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class FilterCall:
    """`argument | Name option option`; an omitted argument is the empty symbol."""

    argument: Expression
    name: str
    options: tuple[Token, ...]

    def __str__(self) -> str:
        text = f"{self.argument} | {self.name}"
        if self.options:
            text += " " + " ".join(_option_text(option) for option in self.options)
        return text


def _option_text(option: Token) -> str:
    return f'"{option}"' if isinstance(option, Text) else str(option)


Expression = Union[Symbol, FilterCall]  # noqa: UP007 - the alias is evaluated at run time


@dataclass(frozen=True, slots=True)
class Text:
    text: str

    def __str__(self) -> str:
        return self.text.replace("#{", "##{")


@dataclass(frozen=True, slots=True)
class Substitution:
    expression: Expression

    def __str__(self) -> str:
        return f"#{{{self.expression}}}"


@dataclass(frozen=True, slots=True)
class Condition:
    """`left`, `left == right` or `left != right`; a str `right` is a quoted literal."""

    left: Expression
    equal: bool | None = None
    right: Expression | str | None = None

    def __str__(self) -> str:
        if self.equal is None:
            return str(self.left)
        operator = "==" if self.equal else "!="
        right = f'"{self.right}"' if isinstance(self.right, str) else str(self.right)
        return f"{self.left} {operator} {right} "


@dataclass(frozen=True, slots=True)
class Conditional:
    """`#{if}` and `#{unless}` (branches swapped); `#{elseif}` nests in `falsy`."""

    condition: Condition
    truthy: tuple[Token, ...]
    falsy: tuple[Token, ...]

    def __str__(self) -> str:
        text = f"#{{if {self.condition}}}" + "".join(map(str, self.truthy))
        if self.falsy:
            text += "#{else}" + "".join(map(str, self.falsy))
        return text + "#{/if}"


@dataclass(frozen=True, slots=True)
class Each:
    enumerator: str
    collection: Symbol
    body: tuple[Token, ...]

    def __str__(self) -> str:
        body = "".join(map(str, self.body))
        return f"#{{each {self.enumerator} in {self.collection}}}{body}#{{/each}}"


@dataclass(frozen=True, slots=True)
class CalcConstant:
    value: float

    def __str__(self) -> str:
        return format_double(self.value)


@dataclass(frozen=True, slots=True)
class CalcVariable:
    symbol: Symbol

    def __str__(self) -> str:
        return str(self.symbol)


@dataclass(frozen=True, slots=True)
class CalcOperation:
    left: CalcNode
    operator: str
    right: CalcNode

    def __str__(self) -> str:
        return f"{self.left}{self.operator}{self.right}"


CalcNode = Union[CalcConstant, CalcVariable, CalcOperation]  # noqa: UP007 - the alias is evaluated at run time


@dataclass(frozen=True, slots=True)
class Calc:
    expression: CalcNode

    def __str__(self) -> str:
        # The echo of an unresolved calc leaves out the word `calc`, as Octostache does.
        return f"#{{{self.expression}}}"


Token = Union[Text, Substitution, Conditional, Each, Calc]  # noqa: UP007 - the alias is evaluated at run time


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: its tokens and the text it was parsed from."""

    tokens: tuple[Token, ...]
    source: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        return "".join(map(str, self.tokens))

    def argument_names(self) -> frozenset[str]:
        """The variable names the template refers to, as far as they are known without evaluating it.

        A path is listed up to its first `[#{...}]` indexer (the rest depends on a value); the names
        used inside an `#{each}` body are left out, since they may refer to the loop variable.
        """
        names: list[str] = []
        for token in self.tokens:
            _token_names(token, names)
        return frozenset(names)


def _symbol_names(symbol: Symbol, names: list[str]) -> None:
    static: list[Step] = []
    for step in symbol.steps:
        if isinstance(step, Indexer) and step.symbol is not None:
            _symbol_names(step.symbol, names)
            break
        static.append(step)
    if static:
        names.append(str(Symbol(tuple(static))))
    for step in symbol.steps[len(static) + 1 :]:
        if isinstance(step, Indexer) and step.symbol is not None:
            _symbol_names(step.symbol, names)


def _expression_names(expression: Expression | str | None, names: list[str]) -> None:
    if isinstance(expression, Symbol):
        _symbol_names(expression, names)
    elif isinstance(expression, FilterCall):
        _expression_names(expression.argument, names)
        for option in expression.options:
            _token_names(option, names)


def _calc_names(node: CalcNode, names: list[str]) -> None:
    if isinstance(node, CalcVariable):
        _symbol_names(node.symbol, names)
    elif isinstance(node, CalcOperation):
        _calc_names(node.left, names)
        _calc_names(node.right, names)


def _token_names(token: Token, names: list[str]) -> None:
    if isinstance(token, Substitution):
        _expression_names(token.expression, names)
    elif isinstance(token, Conditional):
        _expression_names(token.condition.left, names)
        _expression_names(token.condition.right, names)
        for inner in (*token.truthy, *token.falsy):
            _token_names(inner, names)
    elif isinstance(token, Each):
        _symbol_names(token.collection, names)
    elif isinstance(token, Calc):
        _calc_names(token.expression, names)
