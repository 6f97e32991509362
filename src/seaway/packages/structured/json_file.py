"""JSON files: values replaced by key path, each keeping its JSON type where the new value allows."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from seaway.packages.structured.base import Edit, NotThisFormat, VariableLookup
from seaway.packages.structured.tree_paths import as_boolean, as_number, replace_in_tree
from seaway.packages.text_files import decode_text

_FIRST_INDENT = re.compile(r"^[\[{][ \t]*\r?\n([ \t]+)\S", re.MULTILINE)


def replace_json(data: bytes, lookup: VariableLookup) -> Edit:
    content = decode_text(data)
    try:
        document = json.loads(content.text)
    except ValueError as exc:
        raise NotThisFormat(str(exc)) from exc
    edit = Edit()
    if not isinstance(document, dict | list) or not replace_in_tree(document, lookup, json_value, edit):
        return edit
    newline = "\r\n" if "\r\n" in content.text else "\n"
    text = json.dumps(document, indent=_indent_of(content.text), ensure_ascii=False)
    if newline != "\n":
        text = text.replace("\n", newline)
    if content.text.endswith(("\n", "\r")):
        text += newline
    edit.data = content.encode(text)
    return edit


def json_value(original: Any, text: str) -> Any:
    """The value to write where `original` stood: a number, a boolean or null stays one when `text` reads
    as one (else it becomes a string); an object or an array is replaced by the JSON `text` holds."""
    if isinstance(original, bool):
        boolean = as_boolean(text)
        return text if boolean is None else boolean
    if isinstance(original, int | float):
        number = as_number(text)
        return number if number is not None and math.isfinite(number) else text
    if isinstance(original, dict | list):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError(f"the value is not JSON ({exc})") from exc
    if original is None:
        return None if text.strip() == "null" else text
    return text


def _indent_of(text: str) -> str | int | None:
    """The file's indentation (tabs or a number of spaces), or None for a file written on one line."""
    match = _FIRST_INDENT.search(text)
    if match is None:
        return 2 if "\n" in text.strip() else None
    indent = match.group(1)
    return "\t" if indent.startswith("\t") else len(indent)
