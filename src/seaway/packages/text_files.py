"""Rewriting a package's files in place: in their own encoding, byte order mark kept, never half-written."""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass

from seaway.packages.on_machine import write_atomically

__all__ = ["TextContent", "decode_text", "write_atomically"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class TextContent:
    text: str
    encoding: str
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def decode_text(data: bytes) -> TextContent:
    """The text of a file: by its byte order mark, else UTF-8, else Latin-1 (which reads any bytes and writes
    the untouched ones back exactly as they were)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            with contextlib.suppress(UnicodeDecodeError):
                return TextContent(data[len(bom) :].decode(encoding), encoding, bom)
            break
    try:
        return TextContent(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return TextContent(data.decode("latin-1"), "latin-1")
