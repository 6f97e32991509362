"""JSON-valued variables, read the way Octopus reads them (Newtonsoft.Json, lenient).

Property names may be unquoted, strings may use single quotes, comments and trailing commas are
allowed. Strict JSON goes through the standard library's parser first; only what it rejects falls
back to the lenient reader here.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache

from seaway.domain.templates.net_double import format_double

INVALID = object()
MISSING = object()

_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")
_INT32 = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*")
_LITERALS: dict[str, object] = {
    "true": True,
    "false": False,
    "null": None,
    "undefined": None,
    "NaN": math.nan,
    "Infinity": math.inf,
    "-Infinity": -math.inf,
}
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Invalid(Exception):
    pass


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            c = text[self.pos]
            if c in " \t\n\r\f\v\ufeff\xa0":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise _Invalid
                self.pos = end + 2
            else:
                return

    def value(self) -> object:
        self.skip()
        if self.pos >= len(self.text):
            raise _Invalid
        c = self.text[self.pos]
        if c == "{":
            return self._object()
        if c == "[":
            return self._array()
        if c in "\"'":
            return self._string()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            token = number.group()
            return int(token) if _INTEGER.fullmatch(token) else float(token)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        raise _Invalid

    def _object(self) -> dict[str, object]:
        result: dict[str, object] = {}
        self.pos += 1
        while True:
            self.skip()
            if self._take("}"):
                return result
            key = self._string() if self.text[self.pos : self.pos + 1] in ("'", '"') else self._bare_name()
            self.skip()
            if not self._take(":"):
                raise _Invalid
            result[key] = self.value()
            self.skip()
            if self._take("}"):
                return result
            if not self._take(","):
                raise _Invalid

    def _array(self) -> list[object]:
        result: list[object] = []
        self.pos += 1
        while True:
            self.skip()
            if self._take("]"):
                return result
            result.append(self.value())
            self.skip()
            if self._take("]"):
                return result
            if not self._take(","):
                raise _Invalid

    def _take(self, c: str) -> bool:
        if self.text.startswith(c, self.pos):
            self.pos += 1
            return True
        return False

    def _bare_name(self) -> str:
        start = self.pos
        text, n = self.text, len(self.text)
        while self.pos < n and (text[self.pos].isalnum() or text[self.pos] in "_$"):
            self.pos += 1
        if self.pos == start:
            raise _Invalid
        return text[start : self.pos]

    def _string(self) -> str:
        text = self.text
        quote = text[self.pos]
        self.pos += 1
        pieces: list[str] = []
        while True:
            end = self.pos
            while end < len(text) and text[end] not in (quote, "\\"):
                end += 1
            if end >= len(text):
                raise _Invalid
            pieces.append(text[self.pos : end])
            self.pos = end + 1
            if text[end] == quote:
                return "".join(pieces)
            escape = text[self.pos : self.pos + 1]
            if escape == "u":
                digits = text[self.pos + 1 : self.pos + 5]
                if len(digits) != 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                    raise _Invalid
                pieces.append(chr(int(digits, 16)))
                self.pos += 5
            elif escape in _ESCAPES:
                pieces.append(_ESCAPES[escape])
                self.pos += 1
            else:
                raise _Invalid


def parse_json(text: str) -> object:
    """The JSON value of `text`, or `INVALID` (cached; large values in a short list of their own)."""
    return _parse_large(text) if len(text) > _LARGE_JSON else _parse_small(text)


_LARGE_JSON = 32 * 1024


def _parse(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        pass
    reader = _Reader(text)
    try:
        value = reader.value()
        reader.skip()
    except (_Invalid, IndexError, ValueError):
        return INVALID
    return value if reader.pos == len(text) else INVALID


_parse_small = lru_cache(maxsize=4096)(_parse)
_parse_large = lru_cache(maxsize=8)(_parse)


def _text_of_number(value: float) -> str:
    return format_double(value)


def scalar_text(value: object) -> str:
    """What a JSON scalar reads as when it is a variable value: `12`, `15.21`, `True`, `""` for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return _text_of_number(value)
    return str(value)


def value_text(value: object) -> str:
    """A scalar's text; an object or array as compact JSON (`{"Bar":"11"}`)."""
    if isinstance(value, dict | list):
        return serialize(value)
    return scalar_text(value)


def serialize(value: object) -> str:
    """Compact JSON as Newtonsoft writes it: whole doubles keep `.0`, non-ASCII stays as it is."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_quote(str(k))}:{serialize(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(serialize(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = _text_of_number(value)
        if not math.isfinite(value) or any(c in text for c in ".E"):
            return text
        return text + ".0"
    if isinstance(value, int):
        return str(value)
    return _quote(str(value))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def child(value: object, name: str) -> object:
    """`value.name` / `value[name]`: a property, an array element, or `MISSING`.

    A missing property or an index out of range reads as null (so as `""`), not as missing. A
    scalar answers every property with itself, as Octopus's JSON reader does.
    """
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list):
        if not _INT32.fullmatch(name):
            return MISSING
        index = int(name)
        return value[index] if 0 <= index < len(value) else None
    return value


def items(value: object) -> list[tuple[str, object]] | None:
    """What `#{each}` iterates over: (key, element) per property or element; None for a scalar."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [("", v) for v in value]
    return None
