"""Filters that test or rewrite text: `Match`, `Replace`, `StartsWith`, `EndsWith`, `Contains`."""

from __future__ import annotations

from collections.abc import Sequence

from seaway.domain.templates.filters.context import FilterContext
from seaway.domain.templates.filters.net_regex import compile_pattern, replacer


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def match(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) != 1:
        return None
    regex = compile_pattern(options[0])
    return None if regex is None else _boolean(regex.search(argument) is not None)


def replace(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """`Replace regex [replacement]`: every match replaced, `$1`-style groups allowed."""
    if argument is None or not 1 <= len(options) <= 2:
        return None
    regex = compile_pattern(options[0])
    if regex is None:
        return None
    return regex.sub(replacer(options[1] if len(options) == 2 else "", regex), argument)


def starts_with(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) != 1:
        return None
    return _boolean(argument.startswith(options[0]))


def ends_with(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) != 1:
        return None
    return _boolean(argument.endswith(options[0]))


def contains(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) != 1:
        return None
    return _boolean(options[0] in argument)
