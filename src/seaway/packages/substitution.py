"""Substitute variables in files: each matched file rendered through Octostache and written back in place.

Octopus treats a template error in a file as a failure of the step unless the step ignores substitution
errors; then it is a warning and the file keeps whatever could be substituted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from seaway.domain.templates import EvaluationResult, VariableSet, evaluate_with_errors
from seaway.errors import InvalidInput
from seaway.packages.file_globs import match_files
from seaway.packages.text_files import decode_text, write_atomically

FileRender = Callable[[str, str], str]  # (text, the file's name) -> the text substituted


@dataclass(frozen=True)
class SubstitutionReport:
    files: list[Path] = field(default_factory=list)  # relative to the root, in the order they were rendered
    unmatched_patterns: list[str] = field(default_factory=list)


def substitute_in_files(root: Path, patterns: Sequence[str], render: FileRender) -> SubstitutionReport:
    """Render every file under `root` that `patterns` match, in place; files that come out unchanged are
    left untouched on disk. A file that fails to render is left as it was."""
    matches = match_files(root, patterns, field_name="substitute_in_files")
    report = SubstitutionReport(unmatched_patterns=matches.unmatched)
    for path in matches.files:
        relative = path.relative_to(root)
        content = decode_text(path.read_bytes())
        rendered = render(content.text, relative.as_posix())
        if rendered != content.text:
            write_atomically(path, content.encode(rendered))
        report.files.append(relative)
    return report


class FileRenderer:
    """Octostache over one step's variables, for the files of its package.

    Strict (the default), an unresolvable expression or a template that does not parse raises an
    `InvalidInput` naming the file; with `ignore_errors` the error becomes one of `warnings` (which the
    caller logs) and the file keeps what could be substituted.
    """

    def __init__(self, variables: Mapping[str, str], *, now: datetime, ignore_errors: bool = False) -> None:
        self.variables = VariableSet(variables)
        self.now = now
        self.ignore_errors = ignore_errors
        self.warnings: list[str] = []

    def __call__(self, text: str, field: str) -> str:
        if not self.ignore_errors:
            try:
                result = self._evaluate(text, field, strict=True)
            except InvalidInput as exc:
                if exc.field:
                    raise
                raise InvalidInput(f"{field}: {exc.message}", field=field) from exc
            return result.text or ""
        try:
            result = self._evaluate(text, field, strict=True)
            if result.error and not result.unresolved:
                # The template does not parse: say why, then substitute what can be (lenient parsing).
                self.warnings.append(f"{field}: {result.error}")
                result = self._evaluate(text, field, strict=False)
            elif result.error:
                self.warnings.append(f"{field}: {result.error}")
        except InvalidInput as exc:  # a variable defined through itself, or nested too deeply
            self.warnings.append(f"{field}: {exc.message}")
            return text
        return result.text or ""

    def value(self, name: str) -> str | None:
        """The value of variable `name` with its own expressions substituted; None if it is not defined."""
        try:
            return self.variables.get(name, now=self.now)
        except InvalidInput:
            return self.variables.raw(name)

    def take_warnings(self) -> list[str]:
        warnings, self.warnings = self.warnings, []
        return warnings

    def _evaluate(self, text: str, field: str, *, strict: bool) -> EvaluationResult:
        return evaluate_with_errors(
            text,
            self.variables,
            halt_on_error=strict,
            fail_on_unresolved=strict and not self.ignore_errors,
            now=self.now,
            field=field,
        )


class EvaluatedVariables(Mapping[str, str]):
    """A step's variables as a mapping whose values are evaluated when read, so that only the variables a
    file really uses are evaluated."""

    def __init__(self, names: Sequence[str], renderer: FileRenderer) -> None:
        self._names = list(names)
        self._renderer = renderer

    def __getitem__(self, name: str) -> str:
        value = self._renderer.value(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
