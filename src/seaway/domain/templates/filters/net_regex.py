""".NET regular expressions and replacement strings, translated to Python's `re`.

`Match` and `Replace` take .NET syntax. The differences that matter in practice are named groups
(`(?<name>...)`), named back-references (`\\k<name>`), `\\z`/`\\Z`, and `$1`-style substitutions.
Anything `re` cannot express is reported as an invalid pattern (the filter then echoes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_translate(pattern))
    except (re.error, ValueError, OverflowError):
        return None


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The translation of the escape at `i`, and where it ends."""
    escape = pattern[i + 1]
    if in_class:
        return pattern[i : i + 2], i + 2
    if escape == "z":
        return r"\Z", i + 2
    if escape == "Z":
        return r"(?=\n?\Z)", i + 2
    if escape == "k" and i + 2 < len(pattern) and pattern[i + 2] in "<'":
        end = pattern.index(">" if pattern[i + 2] == "<" else "'", i + 3)
        return f"(?P={pattern[i + 3 : end]})", end + 1
    return pattern[i : i + 2], i + 2


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            text, i = _escape(pattern, i, in_class)
            out.append(text)
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            # A `]` right after `[` or `[^` is a literal in both dialects.
            for literal in ("^", "]"):
                if pattern.startswith(literal, i):
                    out.append(literal)
                    i += 1
            continue
        if pattern.startswith("(?<", i) and i + 3 < n and pattern[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        if pattern.startswith("(?'", i):
            end = pattern.index("'", i + 3)
            out.append(f"(?P<{pattern[i + 3 : end]}>")
            i = end + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def replacer(replacement: str, regex: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
    """A `re.sub` callback that expands .NET substitutions: `$1`, `${name}`, `$$`, `$&`, ...."""
    pieces: list[str | Callable[[re.Match[str]], str]] = []
    literal: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c != "$" or i + 1 >= n:
            literal.append(c)
            i += 1
            continue
        part, i = _substitution(replacement, i, regex)
        if isinstance(part, str):
            literal.append(part)
        else:
            pieces.append("".join(literal))
            literal = []
            pieces.append(part)
    pieces.append("".join(literal))

    def expand(match: re.Match[str]) -> str:
        return "".join(piece if isinstance(piece, str) else piece(match) for piece in pieces)

    return expand


def _group(key: int | str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(key) or ""


def _substitution(replacement: str, i: int, regex: re.Pattern[str]) -> tuple[str | Callable[[re.Match[str]], str], int]:
    """The substitution starting with the `$` at `i`, and where it ends."""
    following = replacement[i + 1]
    simple: dict[str, Callable[[re.Match[str]], str]] = {
        "&": _group(0),
        "`": lambda match: match.string[: match.start()],
        "'": lambda match: match.string[match.end() :],
        "_": lambda match: match.string,
        "+": lambda match: (match.group(match.lastindex) or "") if match.lastindex else "",
    }
    if following == "$":
        return "$", i + 2
    if following in simple:
        return simple[following], i + 2
    if following == "{":
        end = replacement.find("}", i + 2)
        name = replacement[i + 2 : end] if end > 0 else ""
        if _NAME.fullmatch(name):
            key: int | str = int(name) if name.isdigit() else name
            if (isinstance(key, int) and key <= regex.groups) or key in regex.groupindex:
                return _group(key), end + 1
        return "$", i + 1
    digits = i + 1
    while digits < len(replacement) and replacement[digits].isdigit():
        digits += 1
    # The longest run of digits that names a group, as .NET reads `$12` with fewer than 12 groups.
    for end in range(digits, i + 1, -1):
        number = int(replacement[i + 1 : end])
        if number <= regex.groups:
            return _group(number), end
    return "$", i + 1
