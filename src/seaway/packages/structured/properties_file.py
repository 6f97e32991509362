"""Java `.properties` files: a variable named like a key replaces its value; every other byte (comments,
blank lines, order, separators, continuation lines elsewhere) stays as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from seaway.packages.structured.base import Edit, VariableLookup
from seaway.packages.text_files import decode_text

_PHYSICAL_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


@dataclass(frozen=True)
class _Entry:
    key: str  # unescaped
    value_start: int  # offsets into the text: the value, continuation lines included, without the line end
    value_end: int
    has_separator: bool


def replace_properties(data: bytes, lookup: VariableLookup) -> Edit:
    content = decode_text(data)
    text = content.text
    edit = Edit()
    pieces: list[str] = []
    done = 0
    for entry in _entries(text):
        name = lookup.name_of(entry.key)
        if name is None:
            continue
        separator = "" if entry.has_separator else "="
        pieces += [text[done : entry.value_start], separator, _escape_value(lookup.value(name))]
        done = entry.value_end
        edit.keys.append(entry.key)
    if edit.keys:
        edit.data = content.encode("".join(pieces) + text[done:])
    return edit


def _logical_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each logical line: physical lines joined while one ends in an odd run of backslashes."""
    start: int | None = None
    for match in _PHYSICAL_LINE.finditer(text):
        if match.start() == len(text) and not match.group(0):
            break
        body = match.group(1)
        if start is None:
            if not body.strip() or body.lstrip()[0] in "#!":
                continue  # blank lines and comments are never continued
            start = match.start()
        trailing = len(body) - len(body.rstrip("\\"))
        if trailing % 2 == 1 and match.group(2):
            continue
        yield start, match.end(1)
        start = None


def _entries(text: str) -> Iterator[_Entry]:
    for start, end in _logical_lines(text):
        position = start
        while text[position] in " \t\f":
            position += 1
        key_chars: list[str] = []
        while position < end and text[position] not in "=: \t\f\r\n":
            if text[position] == "\\" and position + 1 < end:
                position, char = _unescape_at(text, position)
                key_chars.append(char)
                continue
            key_chars.append(text[position])
            position += 1
        while position < end and text[position] in " \t\f":
            position += 1
        has_separator = position < end and text[position] in "=:"
        if has_separator:
            position += 1
            while position < end and text[position] in " \t\f":
                position += 1
        elif position < end:
            has_separator = True  # `key value`: the whitespace was the separator
        yield _Entry("".join(key_chars), position, end, has_separator)


def _unescape_at(text: str, position: int) -> tuple[int, str]:
    """The character the escape at `position` (a backslash) stands for, and the position after it."""
    char = text[position + 1]
    if char == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[position + 2 : position + 6]):
        return position + 6, chr(int(text[position + 2 : position + 6], 16))
    if char in "\r\n":  # a continuation inside a key
        after = position + 1 + (2 if text[position + 1 : position + 3] == "\r\n" else 1)
        while after < len(text) and text[after] in " \t\f":
            after += 1
        return after, ""
    return position + 2, _ESCAPES.get(char, char)


def _escape_value(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t").replace("\f", "\\f")
    )
    return "\\" + escaped if escaped.startswith(" ") else escaped
