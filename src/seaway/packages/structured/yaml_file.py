"""YAML files, edited round trip (ruamel.yaml): comments, key order and quoting stay as they were."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from seaway.packages.structured.base import Edit, NotThisFormat, VariableLookup
from seaway.packages.structured.tree_paths import as_boolean, as_number, replace_in_tree
from seaway.packages.text_files import decode_text

_NULL_WORDS = frozenset({"", "~", "null"})


def replace_yaml(data: bytes, lookup: VariableLookup, *, require_collection: bool = False) -> Edit:
    """`require_collection`: when the format is only being guessed, a document that is a bare scalar is not
    taken as YAML (almost any text parses as one)."""
    content = decode_text(data)
    yaml = _round_trip(content.text)
    try:
        documents = list(yaml.load_all(content.text))
    except YAMLError as exc:
        raise NotThisFormat(str(exc)) from exc
    if require_collection and not any(isinstance(d, dict | list) for d in documents):
        raise NotThisFormat("the file holds no YAML mapping or sequence")
    edit = Edit()
    changed = False
    for document in documents:
        if isinstance(document, dict | list):
            changed = replace_in_tree(document, lookup, yaml_value, edit) or changed
    if changed:
        out = io.StringIO()
        yaml.dump_all(documents, out)
        edit.data = content.encode(out.getvalue())
    return edit


def yaml_value(original: Any, text: str) -> Any:
    """The value to write where `original` stood: a number, a boolean or null stays one when `text` reads
    as one; a string keeps its quoting or block style; a mapping or a sequence is replaced by the YAML that
    `text` holds."""
    if isinstance(original, bool):
        boolean = as_boolean(text)
        return text if boolean is None else boolean
    if isinstance(original, int | float):
        number = as_number(text)
        return text if number is None else number
    if isinstance(original, dict | list):
        try:
            return YAML(typ="rt").load(text)
        except YAMLError as exc:
            raise ValueError(f"the value is not YAML ({exc})") from exc
    if original is None:
        return None if text.strip().lower() in _NULL_WORDS else text
    if isinstance(original, ScalarString):
        return type(original)(text)
    return text


@dataclass(frozen=True)
class _Indentation:
    mapping: int = 2
    sequence: int = 2  # from a sequence's key to its items' content
    offset: int = 0  # from a sequence's key to its dashes


def _round_trip(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line that was not folded
    yaml.explicit_start = text.lstrip().startswith("---")
    indentation = _guess_indentation(text)
    yaml.indent(mapping=indentation.mapping, sequence=indentation.sequence, offset=indentation.offset)
    return yaml


def _guess_indentation(text: str) -> _Indentation:
    """The file's indentation, read from its first nested mapping and its first block sequence."""
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    parent: int | None = None  # the indentation of the previous line, when it was `key:` alone
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if parent is not None and indent > parent:
            if stripped.startswith("- ") and sequence is None:
                content = indent + 2 + len(stripped[2:]) - len(stripped[2:].lstrip(" "))
                sequence = (content - parent, indent - parent)
            elif not stripped.startswith("-") and mapping is None:
                mapping = indent - parent
        if mapping is not None and sequence is not None:
            break
        parent = indent if stripped.endswith(":") and not stripped.startswith("- ") else None
    defaults = _Indentation()
    sequence_indent, offset = sequence or (mapping or defaults.sequence, defaults.offset)
    return _Indentation(mapping or defaults.mapping, sequence_indent, offset)
