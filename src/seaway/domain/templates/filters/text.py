"""Filters that reshape text: case, trimming, cutting, indenting, joining."""

from __future__ import annotations

import re
from collections.abc import Sequence

from seaway.domain.templates.filters.context import FilterContext
from seaway.domain.templates.names import WHITESPACE_CHARS, lower_invariant, upper_invariant
from seaway.domain.templates.net_double import parse_int32

_INDENT_SIZES = re.compile(r"(?:([0-9]{1,3})?(/))?([0-9]{1,3})")


def to_upper(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return upper_invariant(argument)


def to_lower(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return lower_invariant(argument)


def trim(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) > 1:
        return None
    where = options[0].lower() if options else ""
    if where == "":
        return argument.strip(WHITESPACE_CHARS)
    if where == "start":
        return argument.lstrip(WHITESPACE_CHARS)
    if where == "end":
        return argument.rstrip(WHITESPACE_CHARS)
    return None


def substring(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """`Substring len` or `Substring start len`; a start past the end echoes, a length is clamped."""
    if argument is None or not 1 <= len(options) <= 2:
        return None
    numbers = [parse_int32(option) for option in options]
    if any(number is None or number < 0 for number in numbers):
        return None
    start, length = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
    assert start is not None and length is not None
    if start > len(argument):
        return None
    return argument[start : start + length]


def truncate(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """`Truncate len [suffix]`: cut to `len` characters and add the suffix (`...` by default)."""
    if argument is None or not 1 <= len(options) <= 2:
        return None
    length = parse_int32(options[0])
    if length is None or length < 0:
        return None
    if len(argument) <= length:
        return argument
    suffix = options[1] if len(options) == 2 else "..."
    return argument[:length] + suffix


def indent(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """Indent the first line and every line after a `\\n`.

    No option: four spaces. One option `N`, `/N` or `I/S` gives sizes (up to 255); any other single
    option is the indent itself. Two options are the first-line and the other-lines indents.
    """
    if argument is None:
        return None
    if argument == "":
        return ""
    if len(options) > 2:
        return None
    if not options:
        first = rest = "    "
    elif len(options) == 2:
        first, rest = options
    else:
        first = rest = options[0]
        sizes = _INDENT_SIZES.fullmatch(options[0])
        if sizes:
            initial, separator, subsequent = sizes.groups()
            if int(subsequent) <= 255 and (initial is None or int(initial) <= 255):
                rest = " " * int(subsequent)
                first = rest if separator is None else " " * int(initial or 0)
    return first + argument.replace("\n", "\n" + rest)


def append(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if not options:
        return None
    return (argument or "") + "".join(options)


def prepend(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if not options:
        return None
    return "".join(options) + (argument or "")


def null(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """Always nothing: written exactly `null`, it makes the whole evaluation's result null."""
    return None
