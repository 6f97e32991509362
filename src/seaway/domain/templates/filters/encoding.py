"""Base64 and hash filters.

An encoding option says how text becomes bytes: `utf8`/`utf-8` (the default), `unicode` (UTF-16LE,
as .NET's `Encoding.Unicode`), or for the hashes also `base64` (the input is Base64 to decode).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol

from seaway.domain.templates.filters.context import Filter, FilterContext
from seaway.domain.templates.net_double import parse_int32


class _Hash(Protocol):
    def digest(self) -> bytes: ...


_TEXT_ENCODINGS = {"utf8": "utf-8", "utf-8": "utf-8", "unicode": "utf-16-le"}
_BASE64_WHITESPACE = str.maketrans("", "", " \t\r\n")


def _decode_base64(text: str) -> bytes | None:
    """`Convert.FromBase64String`: whitespace is ignored, the padding must be right."""
    try:
        return base64.b64decode(text.translate(_BASE64_WHITESPACE), validate=True)
    except (binascii.Error, ValueError):
        return None


def to_base64(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) > 1:
        return None
    encoding = _TEXT_ENCODINGS.get(options[0].lower() if options else "utf8")
    if encoding is None:
        return None
    try:
        data = argument.encode(encoding)
    except UnicodeEncodeError:
        return None
    return base64.b64encode(data).decode("ascii")


def from_base64(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or len(options) > 1:
        return None
    encoding = _TEXT_ENCODINGS.get(options[0].lower() if options else "utf8")
    data = _decode_base64(argument)
    if encoding is None or data is None:
        return None
    # .NET decodes invalid byte sequences to U+FFFD rather than failing.
    return data.decode(encoding, errors="replace")


def _bytes_of(text: str, encoding: str) -> bytes | None:
    if encoding == "base64":
        return _decode_base64(text)
    try:
        return text.encode(_TEXT_ENCODINGS[encoding])
    except UnicodeEncodeError:
        return None


def _hash_options(options: Sequence[str]) -> tuple[str, int | None] | None:
    """(encoding, digest size in bytes) from `[encoding] [size]` in either order; None if invalid."""
    if len(options) > 2:
        return None
    encoding, size = "utf8", None
    if options:
        first = parse_int32(options[0])
        if first is not None and first > 0:
            size = first
            if len(options) == 2:
                encoding = options[1].lower()
        else:
            encoding = options[0].lower()
            if len(options) == 2:
                size = parse_int32(options[1])
                if size is None or size <= 0:
                    return None
    if encoding != "base64" and encoding not in _TEXT_ENCODINGS:
        return None
    return encoding, size


def _hash_filter(algorithm: Callable[[bytes], _Hash]) -> Filter:
    def digest(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
        if argument is None:
            return None
        parsed = _hash_options(options)
        if parsed is None:
            return None
        encoding, size = parsed
        data = _bytes_of(argument, encoding)
        if data is None:
            return None
        hashed = algorithm(data).digest()
        return hashed[:size].hex() if size is not None else hashed.hex()

    return digest


md5 = _hash_filter(lambda data: hashlib.md5(data, usedforsecurity=False))
sha1 = _hash_filter(lambda data: hashlib.sha1(data, usedforsecurity=False))
sha256 = _hash_filter(hashlib.sha256)
sha384 = _hash_filter(hashlib.sha384)
sha512 = _hash_filter(hashlib.sha512)
