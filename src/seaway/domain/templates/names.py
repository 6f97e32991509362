"""Character classes and case folding shared by the parser, the variable tree and the filters.

Octopus compares names with .NET's ordinal ignore-case comparison, which maps each character to its
simple upper-case form. Python's `str.upper` uses full case mapping (`ß` becomes `SS`), which would
make `Maß` and `MASS` one name, so non-ASCII text is folded one character at a time.
"""

from __future__ import annotations

from functools import lru_cache

# .NET `char.IsWhiteSpace`: Python's `str.isspace` also accepts U+001C..U+001F, which .NET does not.
WHITESPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
WHITESPACE_CHARS = "".join(sorted(WHITESPACE))

_ASCII_IDENTIFIER = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:/~()@")


def is_identifier_char(c: str) -> bool:
    """Letters, digits and `_ - : / ~ ( ) @`; whitespace is handled by the caller."""
    if c in _ASCII_IDENTIFIER:
        return True
    return ord(c) > 127 and (c.isalpha() or c.isdecimal())


def strip_ws(text: str) -> str:
    return text.strip(WHITESPACE_CHARS)


def _fold_char(c: str) -> str:
    upper = c.upper()
    return upper if len(upper) == 1 else c


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The key two names share when they differ only in case."""
    if text.isascii():
        return text.upper()
    return "".join(_fold_char(c) for c in text)


def upper_invariant(text: str) -> str:
    return text.upper() if text.isascii() else "".join(_fold_char(c) for c in text)


def lower_invariant(text: str) -> str:
    if text.isascii():
        return text.lower()
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)
