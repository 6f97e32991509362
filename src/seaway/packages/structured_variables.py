"""Structured configuration variables: a variable named `Logging:LogLevel:Default` (or an XPath, or a
properties key) replaces that value in the JSON, YAML, XML or `.properties` files a step names.

The format is found as Octopus finds it: JSON is tried first; then the format the file's extension names;
a file whose extension names none is tried as each format in turn. Keys are matched whatever their case and
only replaced, never added; variables of Octopus's own (`Octopus.*`) are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from seaway.errors import InvalidInput
from seaway.packages.file_globs import match_files
from seaway.packages.structured.base import Edit, NotThisFormat, VariableLookup
from seaway.packages.structured.json_file import replace_json
from seaway.packages.structured.properties_file import replace_properties
from seaway.packages.structured.xml_file import replace_xml
from seaway.packages.structured.yaml_file import replace_yaml
from seaway.packages.text_files import write_atomically

Replacer = Callable[[bytes, VariableLookup], Edit]


def _guessed_yaml(data: bytes, lookup: VariableLookup) -> Edit:
    return replace_yaml(data, lookup, require_collection=True)


_JSON: tuple[str, Replacer] = ("JSON", replace_json)
_BY_EXTENSION: dict[str, tuple[str, Replacer]] = {
    ".json": _JSON,
    ".yaml": ("YAML", replace_yaml),
    ".yml": ("YAML", replace_yaml),
    ".xml": ("XML", replace_xml),
    ".properties": ("properties", replace_properties),
}
_ANY_FORMAT: tuple[tuple[str, Replacer], ...] = (
    _JSON,
    ("XML", replace_xml),
    ("YAML", _guessed_yaml),
    ("properties", replace_properties),
)


@dataclass(frozen=True)
class StructuredChange:
    file: Path  # relative to the root
    format: str  # JSON, YAML, XML or properties
    keys: tuple[str, ...]  # the keys replaced, as written in the file (empty: none matched a variable)


@dataclass(frozen=True)
class StructuredReport:
    changes: list[StructuredChange] = field(default_factory=list)  # one per file matched, in order
    unmatched_patterns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # values that could not be set, for the log


def apply_structured_variables(root: Path, patterns: Sequence[str], variables: Mapping[str, str]) -> StructuredReport:
    """Replace values in the files under `root` that `patterns` match; a file that does not parse in its
    format is an `InvalidInput` naming it. Files are rewritten atomically, and only when a value changed."""
    matches = match_files(root, patterns, field_name="structured_variables")
    report = StructuredReport(unmatched_patterns=matches.unmatched)
    lookup = VariableLookup(variables)
    for path in matches.files:
        relative = path.relative_to(root)
        format_name, edit = _replace(path.read_bytes(), relative, lookup)
        if edit.data is not None:
            write_atomically(path, edit.data)
        report.changes.append(StructuredChange(relative, format_name, tuple(edit.keys)))
        report.warnings.extend(f"{relative.as_posix()}: {warning}" for warning in edit.warnings)
    return report


def _replace(data: bytes, relative: Path, lookup: VariableLookup) -> tuple[str, Edit]:
    guessed = _BY_EXTENSION.get(relative.suffix.lower())
    candidates = _ANY_FORMAT if guessed is None else tuple(dict.fromkeys((_JSON, guessed)))
    failure = ""
    for format_name, replacer in candidates:
        try:
            return format_name, replacer(data, lookup)
        except NotThisFormat as exc:
            failure = f"it is not a valid {format_name} file: {exc}"
    raise InvalidInput(f"{relative.as_posix()}: {failure}", field="structured_variables")
