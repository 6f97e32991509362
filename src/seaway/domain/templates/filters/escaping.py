"""Escaping filters: HTML, XML, JSON, YAML, Java properties and URIs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from seaway.domain.templates.filters.context import FilterContext

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "/": "&#x2F;"})
_XML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})
_JSON = str.maketrans({'"': '\\"', "\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"})
_YAML_DOUBLE = {"\r": "\\r", "\n": "\\n", "\t": "\\t", "\\": "\\\\", '"': '\\"'}
_PROPERTIES = {"\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"}
_PROPERTIES_KEY = {**_PROPERTIES, " ": "\\ ", ":": "\\:", "=": "\\="}
_LINE_BREAKS = re.compile(r"(?:\r?\n)+")
# Uri.EscapeUriString leaves RFC 3986's unreserved and reserved characters alone.
_URI_RESERVED = ":/?#[]@!$&'()*+,;="


def _unicode_escapes(c: str) -> str:
    """`\\uXXXX` (lower-case hex) per UTF-16 code unit, as .NET sees characters."""
    code = ord(c)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def html_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    return None if argument is None or options else argument.translate(_HTML)


def xml_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    return None if argument is None or options else argument.translate(_XML)


def json_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    return None if argument is None or options else argument.translate(_JSON)


def yaml_single_quote_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """Double `'`; give each run of line breaks one more (YAML folds one break into a space)."""
    if argument is None or options:
        return None
    doubled = _LINE_BREAKS.sub(lambda m: ("\r\n" if m.group().startswith("\r") else "\n") + m.group(), argument)
    return doubled.replace("'", "''")


def yaml_double_quote_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return "".join(_YAML_DOUBLE.get(c) or (c if " " <= c <= "~" else _unicode_escapes(c)) for c in argument)


def _properties(c: str, table: dict[str, str]) -> str:
    escaped = table.get(c)
    if escaped is not None:
        return escaped
    return c if ord(c) < 0xFF else _unicode_escapes(c)


def properties_key_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return "".join(_properties(c, _PROPERTIES_KEY) for c in argument)


def properties_value_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    """Like the key escape, but only a leading space is escaped, and `:`/`=` are left alone."""
    if argument is None or options:
        return None
    escaped = "".join(_properties(c, _PROPERTIES) for c in argument)
    return "\\" + escaped if escaped.startswith(" ") else escaped


def _percent_encode(text: str, safe: str) -> str | None:
    try:
        return quote(text, safe=safe, encoding="utf-8", errors="strict")
    except UnicodeEncodeError:
        return None


def uri_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return _percent_encode(argument, _URI_RESERVED)


def uri_data_escape(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return _percent_encode(argument, "")
