"""The token half of the grammar: text, `#{...}` substitutions, `#{if}`, `#{each}`, `#{calc}`.

Strict parsing (`halt_on_error=True`) accepts a template only if all of it parses. Lenient parsing
turns each token that fails into literal text, up to the point where it failed, and carries on from
there, as Octostache does: a stray `#{"` becomes two characters of text, an unclosed `#{if x}` all
the text after it.

One deliberate difference: Octostache falls back to reading an unclosed `#{if x}` as a substitution
of a variable named `if x`; here an `#{if}`, `#{unless}` or `#{each}` whose opening tag parses must
be closed, so the mistake is reported (with the position of the opening tag) instead of echoed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from seaway.domain.templates.ast import Calc, Condition, Conditional, Each, Template, Text, Token
from seaway.domain.templates.expressions import ExpressionParser, Failure
from seaway.domain.templates.names import WHITESPACE
from seaway.errors import TemplateSyntaxError

_KEYWORD_INITIALS = frozenset("iIuUeEcC")


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why a template does not parse, and where (0-based offset, 1-based line and column)."""

    detail: str
    offset: int
    line: int
    column: int

    @property
    def message(self) -> str:
        return f"Invalid template: {self.detail}"

    def to_exception(self, field: str = "template") -> TemplateSyntaxError:
        # The field names the template ("template: expected '}' at line 1, column 5").
        return TemplateSyntaxError(self.detail, field=field)


def _line_column(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column


class TemplateParser(ExpressionParser):
    # -- tokens -----------------------------------------------------------------------------------

    def token(self, p: int) -> tuple[Token, int]:
        src = self.src
        if src.startswith("#{", p) and not src.startswith("#{/", p):
            return self.nested_token(p)
        return self.text(p)

    def nested_token(self, p: int) -> tuple[Token, int]:
        """Conditional, calc, each or substitution, tried in that order; the furthest failure wins."""
        q = self.skip_ws(p + 2)
        if q >= self.n or self.src[q] not in _KEYWORD_INITIALS:
            # No keyword can match here, and the keyword rules would fail at `q`, no further than
            # the substitution does: its failure is the best one.
            return self.substitution(p)
        best: Failure | None = None
        for alternative in (self.conditional, self.calc, self.repetition, self.substitution):
            try:
                return alternative(p)
            except Failure as failure:
                if failure.opened == p:
                    # The `#{if ...}` or `#{each ...}` header parsed, so this is a block that is never
                    # closed: reported as such rather than read as a variable called `if x`.
                    raise
                if best is None or failure.pos > best.pos:
                    best = failure
        assert best is not None
        raise best

    def text(self, p: int) -> tuple[Text, int]:
        """Literal text; `##{` is an escaped `#{`, and `##` before `#{` is one `#`."""
        src, n = self.src, self.n
        pieces: list[str] = []
        q = p
        while q < n:
            h = src.find("#", q)
            if h < 0:
                pieces.append(src[q:])
                q = n
                break
            if h > q:
                pieces.append(src[q:h])
                q = h
            if q + 1 == n:
                pieces.append("#")
                q = n
                break
            following = src[q + 1]
            if following == "{":
                break
            if following == "#":
                # Octostache's look-ahead for `#{` after `##` wants one more character after it.
                if q + 4 < n and src[q + 2] == "#" and src[q + 3] == "{":
                    pieces.append("#")
                    q += 2
                elif q + 2 < n and src[q + 2] == "{":
                    pieces.append("#{")
                    q += 3
                else:
                    pieces.append("##")
                    q += 2
                continue
            pieces.append("#" + following)
            q += 2
        if q == p:
            raise self.fail(p + 1 if p < n else p, "text")
        return Text("".join(pieces)), q

    # -- blocks -----------------------------------------------------------------------------------

    def conditional(self, p: int) -> tuple[Conditional, int]:
        q = self.skip_ws(self.literal(p, "#{"))
        try:
            q, keyword = self.keyword(q, "if"), "if"
        except Failure as not_if:
            try:
                q, keyword = self.keyword(q, "unless"), "unless"
            except Failure as not_unless:
                raise (not_unless if not_unless.pos > not_if.pos else not_if) from None
        condition, q = self._block_condition(q)
        truthy, q, _ = self.template_many(q, in_if=True)
        branches: list[tuple[Condition, tuple[Token, ...]]] = [(condition, truthy)]
        while keyword == "if" and (start := self._elseif(q)) is not None:
            try:
                condition, after = self._block_condition(start)
                body, after, _ = self.template_many(after, in_if=True)
            except Failure:
                break
            branches.append((condition, body))
            q = after
        falsy: tuple[Token, ...] = ()
        if self.src.startswith("#{else}", q):
            falsy, q, _ = self.template_many(q + len("#{else}"), in_if=False)
        q = self.literal(q, f"#{{/{keyword}}}", opened=p)
        for condition, body in reversed(branches[1:]):
            falsy = (Conditional(condition, body, falsy),)
        condition, truthy = branches[0]
        if keyword == "unless":
            return Conditional(condition, falsy, truthy), q
        return Conditional(condition, truthy, falsy), q

    def _block_condition(self, p: int) -> tuple[Condition, int]:
        """The whitespace after the keyword, the condition, then `}`."""
        q = self.skip_ws(p)
        if q == p:
            raise self.fail(p, "whitespace")
        condition, q = self.condition(q)
        return condition, self.literal(self.skip_ws(q), "}")

    def _elseif(self, p: int) -> int | None:
        """Where the condition of an `#{elseif ...}` at `p` starts, if there is one."""
        src = self.src
        end = p + len("#{elseif")
        if src.startswith("#{", p) and src[p + 2 : end].lower() == "elseif" and end < self.n:
            return end if src[end] in WHITESPACE else None
        return None

    def repetition(self, p: int) -> tuple[Each, int]:
        q = self.keyword(self.skip_ws(self.literal(p, "#{")), "each")
        start = self.skip_ws(q)
        if start == q:
            raise self.fail(q, "whitespace")
        enumerator, q = self.identifier(start)
        q = self.keyword(self.skip_ws(q), "in")
        collection, q = self.symbol(self.skip_ws(q))
        q = self.literal(self.skip_ws(q), "}")
        body, q, _ = self.template_many(q, in_if=False)
        q = self.literal(q, "#{/each}", opened=p)
        return Each(enumerator, collection, body), q

    def calc(self, p: int) -> tuple[Calc, int]:
        q = self.keyword(self.skip_ws(self.literal(p, "#{")), "calc")
        start = self.skip_ws(q)
        if start == q:
            raise self.fail(q, "whitespace")
        expression, q = self.calc_expression(start)
        return Calc(expression), self.literal(self.skip_ws(q), "}")

    def template_many(self, p: int, *, in_if: bool) -> tuple[tuple[Token, ...], int, Failure | None]:
        """Tokens until one does not parse; inside `#{if}`, also until `#{else}` or `#{elseif`."""
        tokens: list[Token] = []
        src, n = self.src, self.n
        while p < n:
            if in_if and src.startswith("#{", p) and (src.startswith("#{else}", p) or self._elseif(p) is not None):
                break
            try:
                token, p = self.token(p)
            except Failure as failure:
                return tuple(tokens), p, failure
            tokens.append(token)
        return tuple(tokens), p, None

    # -- whole templates --------------------------------------------------------------------------

    def parse_strict(self) -> Template | ParseError:
        tokens: list[Token] = []
        p = 0
        while p < self.n:
            self.furthest = None
            try:
                token, p = self.token(p)
            except Failure:
                return self._error()
            tokens.append(token)
        return Template(tuple(tokens), self.src)

    def parse_lenient(self) -> Template:
        tokens: list[Token] = []
        p = 0
        while p < self.n:
            try:
                token, p = self.token(p)
            except Failure as failure:
                end = max(failure.pos, p + 1)
                tokens.append(Text(self.src[p:end]))
                p = end
                continue
            tokens.append(token)
        return Template(tuple(tokens), self.src)

    def _error(self) -> ParseError:
        failure = self.furthest
        assert failure is not None
        line, column = _line_column(self.src, failure.pos)
        where = "the end of the template" if failure.pos >= self.n else f"line {line}, column {column}"
        found = f" but found {self.src[failure.pos]!r}" if failure.pos < self.n else ""
        message = f"expected {failure.expected}{found} at {where}"
        if failure.opened is not None:
            opened_line, opened_column = _line_column(self.src, failure.opened)
            opener = self.src[failure.opened : failure.pos].split("}", 1)[0] + "}"
            message = f"'{opener}' at line {opened_line}, column {opened_column} is never closed: {message}"
        return ParseError(message, failure.pos, line, column)


# Templates larger than this are cached apart, in a short list, so a few large files cannot fill memory.
LARGE_TEMPLATE = 32 * 1024


def _parse(source: str, halt_on_error: bool) -> Template | ParseError:
    parser = TemplateParser(source)
    if halt_on_error:
        return parser.parse_strict()
    return parser.parse_lenient()


_parse_small = lru_cache(maxsize=4096)(_parse)
_parse_large = lru_cache(maxsize=8)(_parse)


def parse_outcome(source: str, halt_on_error: bool = True) -> Template | ParseError:
    """The parse of `source`, cached: variable values are parsed each time they are used."""
    if len(source) > LARGE_TEMPLATE:
        return _parse_large(source, halt_on_error)
    return _parse_small(source, halt_on_error)


def parse(template: str, *, halt_on_error: bool = True, field: str = "template") -> Template:
    """Parse `template`, raising `TemplateSyntaxError` (with the position) if it does not parse."""
    outcome = parse_outcome(template, halt_on_error)
    if isinstance(outcome, ParseError):
        raise outcome.to_exception(field)
    return outcome
