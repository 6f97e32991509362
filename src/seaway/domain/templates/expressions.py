"""The expression half of the grammar: names, paths, filter chains, conditions and calc arithmetic.

The grammar follows Octostache's Sprache parser, including where a failed alternative stops: in
lenient mode the text up to the point where a token failed becomes literal text, so the failure
positions decide which later `#{...}` tokens are still substituted.
"""

from __future__ import annotations

import re

from seaway.domain.templates.ast import (
    CalcConstant,
    CalcNode,
    CalcOperation,
    CalcVariable,
    Condition,
    Expression,
    FilterCall,
    Identifier,
    Indexer,
    Step,
    Substitution,
    Symbol,
    Text,
    Token,
)
from seaway.domain.templates.names import WHITESPACE, is_identifier_char, strip_ws

_EMPTY_SYMBOL = Symbol(())
_INDEX_RUN = re.compile(r"[^\[\]]+")
_ASCII_NAME_RUN = re.compile(r"[A-Za-z0-9_\-:/~()@]+")
# In calc arithmetic a bare name stops at parentheses, so `(A+B)*2` groups; `{(name)}` still works.
_ASCII_CALC_NAME_RUN = re.compile(r"[A-Za-z0-9_\-:/~@]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_KEYWORDS_AFTER_WHITESPACE = ("in", "==", "!=")


class Failure(Exception):
    """A parse that did not match at `pos`; `expected` says what would have."""

    def __init__(self, pos: int, expected: str, opened: int | None = None) -> None:
        super().__init__(expected)
        self.pos = pos
        self.expected = expected
        # Where the block that this failure leaves unclosed starts, for the error message.
        self.opened = opened


class ExpressionParser:
    """Parsing state over one source text, and the expression rules."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.n = len(source)
        # The furthest failure seen: what an error message reports.
        self.furthest: Failure | None = None

    # -- plumbing ---------------------------------------------------------------------------------

    def fail(self, pos: int, expected: str, opened: int | None = None) -> Failure:
        failure = Failure(pos, expected, opened)
        if self.furthest is None or pos >= self.furthest.pos:
            self.furthest = failure
        return failure

    def skip_ws(self, p: int) -> int:
        src, n = self.src, self.n
        while p < n and src[p] in WHITESPACE:
            p += 1
        return p

    def keyword(self, p: int, word: str) -> int:
        """Match `word` ignoring case; the position after it."""
        end = p + len(word)
        if self.src[p:end].lower() == word:
            return end
        mismatch = p
        while mismatch < min(end, self.n) and self.src[mismatch].lower() == word[mismatch - p]:
            mismatch += 1
        raise self.fail(mismatch, f"'{word}'")

    def literal(self, p: int, text: str, opened: int | None = None) -> int:
        if self.src.startswith(text, p):
            return p + len(text)
        mismatch = p
        while mismatch < self.n and mismatch - p < len(text) and self.src[mismatch] == text[mismatch - p]:
            mismatch += 1
        raise self.fail(mismatch, f"'{text}'", opened)

    def nested_token(self, p: int) -> tuple[Token, int]:
        """A `#{...}` token used as a filter option; provided by the template parser."""
        raise NotImplementedError

    # -- names and paths --------------------------------------------------------------------------

    def identifier(self, p: int, *, spaces: bool = True, calc: bool = False) -> tuple[str, int]:
        src, n = self.src, self.n
        runs = _ASCII_CALC_NAME_RUN if calc else _ASCII_NAME_RUN
        q = p
        while True:
            run = runs.match(src, q)
            if run:
                q = run.end()
            if q >= n:
                break
            c = src[q]
            if c in WHITESPACE:
                if not spaces or self._whitespace_ends_identifier(q):
                    break
            elif not is_identifier_char(c) or (calc and c in "()"):
                break
            q += 1
        text = strip_ws(src[p:q])
        if not text:
            raise self.fail(p, "a name")
        return text, q

    def _whitespace_ends_identifier(self, q: int) -> bool:
        src, n = self.src, self.n
        # Whitespace before `|` or `}` is not part of a name. Octostache's look-ahead needs one more
        # character after the `|`/`}`, so at the very end of the text the whitespace is kept.
        if q + 2 < n and src[q + 1] in "|}":
            return True
        # Nor is whitespace before the keywords `in`, `==`, `!=` when they are followed by whitespace.
        return q + 3 < n and src[q + 3] in WHITESPACE and src[q + 1 : q + 3] in _KEYWORDS_AFTER_WHITESPACE

    def symbol(self, p: int, *, calc: bool = False) -> tuple[Symbol, int]:
        first, q = self.identifier(p, calc=calc)
        steps: list[Step] = [Identifier(first)]
        src, n = self.src, self.n
        while q < n:
            c = src[q]
            try:
                if c == ".":
                    name, q = self.identifier(q + 1, calc=calc)
                    steps.append(Identifier(name))
                elif c == "[":
                    index, q = self.indexer(q)
                    steps.append(index)
                else:
                    break
            except Failure:
                break
        return Symbol(tuple(steps)), q

    def indexer(self, p: int) -> tuple[Indexer, int]:
        q = self.skip_ws(p + 1)
        if not self.src.startswith("#{", q):
            index, q = self.string_index(p)
            return Indexer(index=index), q
        try:
            token, q = self.substitution(q)
            if not isinstance(token.expression, Symbol):
                raise self.fail(p + 1, "a variable name")
            q = self.literal(self.skip_ws(q), "]")
            return Indexer(symbol=token.expression), q
        except Failure:
            index, q = self.string_index(p)
            return Indexer(index=index), q

    def string_index(self, p: int) -> tuple[str, int]:
        """`[text]`, where the text may hold balanced brackets: `[containers[0].container]`."""
        src, n = self.src, self.n
        q = self.skip_ws(p + 1)
        parts: list[str] = []
        while q < n:
            c = src[q]
            if c == "[":
                try:
                    inner, q = self.string_index(q)
                except Failure:
                    break
                parts.append(f"[{inner}]")
            elif c == "]":
                break
            else:
                match = _INDEX_RUN.match(src, q)
                assert match is not None
                parts.append(match.group())
                q = match.end()
        return "".join(parts), self.literal(q, "]")

    def substitution(self, p: int) -> tuple[Substitution, int]:
        """`#{ expression }`."""
        q = self.literal(p, "#{")
        if self.src.startswith("/", q):
            raise self.fail(p, "a token other than a closing tag")
        expression, q = self.expression(self.skip_ws(q))
        return Substitution(expression), self.literal(self.skip_ws(q), "}")

    # -- expressions ------------------------------------------------------------------------------

    def expression(self, p: int) -> tuple[Expression, int]:
        """A symbol or a filter chain; the symbol of a chain may be left out (`#{ | NowDate}`)."""
        try:
            symbol, after_symbol = self.symbol(p)
        except Failure:
            if p < self.n and self.src[p] == "|":
                return self.filter_chain(_EMPTY_SYMBOL, p)
            raise
        q = self.skip_ws(after_symbol)
        if q < self.n and self.src[q] == "|":
            try:
                return self.filter_chain(symbol, q)
            except Failure:
                pass
        return symbol, after_symbol

    def filter_chain(self, argument: Expression, p: int) -> tuple[FilterCall, int]:
        call, q = self._filter(argument, p)
        while q < self.n:
            bar = self.skip_ws(q)
            if bar >= self.n or self.src[bar] != "|":
                break
            try:
                call, q = self._filter(call, bar)
            except Failure:
                break
        return call, q

    def _filter(self, argument: Expression, p: int) -> tuple[FilterCall, int]:
        q = self.literal(p, "|")
        start = self.skip_ws(q)
        try:
            name, q = self.identifier(start, spaces=False)
        except Failure:
            raise self.fail(start, "a filter name") from None
        options: list[Token] = []
        q = self.skip_ws(q)
        while True:
            try:
                option, after = self.option(self.skip_ws(q))
            except Failure:
                break
            options.append(option)
            q = after
        return FilterCall(argument, name, tuple(options)), q

    def option(self, p: int) -> tuple[Token, int]:
        src = self.src
        if src.startswith("#{", p):
            return self.nested_token(p)
        if src.startswith('"', p) or src.startswith('\\"', p):
            text, q = self.quoted(p)
            return Text(text), q
        word, q = self.identifier(p, spaces=False)
        return Text(word), q

    def quoted(self, p: int) -> tuple[str, int]:
        """`"text"` (no `"` or `#` inside) or `\\"text\\"` (anything inside)."""
        src = self.src
        if src.startswith('\\"', p):
            end = src.find('\\"', p + 2)
            if end < 0:
                raise self.fail(self.n, "'\\\"'")
            return src[p + 2 : end], end + 2
        q = self.literal(p, '"')
        end = q
        while end < self.n and src[end] not in '"#':
            end += 1
        return src[q:end], self.literal(end, '"')

    def condition(self, p: int) -> tuple[Condition, int]:
        """`expr`, `expr == expr`, `"text" != expr`, `expr == "text"` (either operator)."""
        left: Expression | str
        if self.src.startswith('"', p) or self.src.startswith('\\"', p):
            left, q = self.quoted(p)
        else:
            left, q = self.expression(p)
        q = self.skip_ws(q)
        operator = self.src[q : q + 2]
        if operator not in ("==", "!="):
            if isinstance(left, str):
                raise self.fail(q, "'==' or '!='")
            return Condition(left), q
        q = self.skip_ws(q + 2)
        right: Expression | str
        if self.src.startswith('"', q) or self.src.startswith('\\"', q):
            right, q = self.quoted(q)
        else:
            right, q = self.expression(q)
        equal = operator == "=="
        if isinstance(left, str):
            if isinstance(right, str):
                raise self.fail(q, "a variable name")
            # Equality is symmetric: keep the expression on the left, as for `expr == "text"`.
            return Condition(right, equal, left), q
        return Condition(left, equal, right), q

    # -- calc -------------------------------------------------------------------------------------

    def calc_expression(self, p: int) -> tuple[CalcNode, int]:
        return self._calc_sum(p)

    def _calc_sum(self, p: int) -> tuple[CalcNode, int]:
        node, q = self._calc_product(p)
        while True:
            r = self.skip_ws(q)
            if r >= self.n or self.src[r] not in "+-":
                return node, q
            right, q = self._calc_product(r + 1)
            node = CalcOperation(node, self.src[r], right)

    def _calc_product(self, p: int) -> tuple[CalcNode, int]:
        node, q = self._calc_operand(p)
        while True:
            r = self.skip_ws(q)
            if r >= self.n or self.src[r] not in "*/":
                return node, q
            right, q = self._calc_operand(r + 1)
            node = CalcOperation(node, self.src[r], right)

    def _calc_operand(self, p: int) -> tuple[CalcNode, int]:
        p = self.skip_ws(p)
        src = self.src
        number = _NUMBER.match(src, p)
        if number:
            return CalcConstant(float(number.group())), number.end()
        if src.startswith("(", p):
            node, q = self._calc_sum(p + 1)
            return node, self.literal(self.skip_ws(q), ")")
        if src.startswith("{", p):
            symbol, q = self.symbol(self.skip_ws(p + 1))
            return CalcVariable(symbol), self.literal(self.skip_ws(q), "}")
        symbol, q = self.symbol(p, calc=True)
        return CalcVariable(symbol), q
