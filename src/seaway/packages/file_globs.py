"""The files of an installation that a step's patterns (`config/*.conf`, `**/*.template`) name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from seaway.errors import InvalidInput
from seaway.packages.on_machine import glob_under


@dataclass(frozen=True)
class GlobMatches:
    files: list[Path] = field(default_factory=list)  # absolute, in pattern order, each once
    unmatched: list[str] = field(default_factory=list)  # the patterns that named no file: worth a warning


def check_pattern(pattern: str, *, field_name: str) -> str:
    """A pattern relative to the installation directory; one that could reach outside it is refused."""
    cleaned = pattern.strip().replace("\\", "/")
    path = PurePosixPath(cleaned)
    if not cleaned or path.is_absolute() or ".." in path.parts:
        raise InvalidInput(
            f'"{pattern}" must be a pattern relative to the package, without ".." segments', field=field_name
        )
    return cleaned


def match_paths(root: Path, pattern: str, *, field_name: str) -> list[Path]:
    """Files and directories under `root` that `pattern` matches (`**` spans directories), sorted; a
    symbolic link leading out of `root` is never among them."""
    return glob_under(root, check_pattern(pattern, field_name=field_name))


def match_files(root: Path, patterns: Sequence[str], *, field_name: str) -> GlobMatches:
    matches = GlobMatches()
    seen: set[Path] = set()
    for pattern in patterns:
        files = [p for p in match_paths(root, pattern, field_name=field_name) if p.is_file()]
        if not files:
            matches.unmatched.append(pattern)
        for path in files:
            if path not in seen:
                seen.add(path)
                matches.files.append(path)
    return matches
