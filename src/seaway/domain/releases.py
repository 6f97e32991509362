"""Releases: a version of a project with an immutable snapshot of its process and variables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.channels import DEFAULT_CHANNEL
from seaway.domain.packages import PackageReference
from seaway.domain.process import Step
from seaway.domain.variables import Variable
from seaway.errors import InvalidInput

_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-+_]{0,99}$")
_NUMERIC_TAIL = re.compile(r"^(?P<head>.*?)(?P<number>\d+)(?P<tail>\D*)$")


@dataclass(frozen=True)
class Release:
    project_id: int
    version: str
    process: tuple[Step, ...]
    variables: tuple[Variable, ...]  # project variables combined with its library sets, at creation
    created_at: datetime
    notes: str = ""
    packages: tuple[PackageReference, ...] = ()  # in process order
    created_by: int | None = None
    id: int | None = None
    channel: str = DEFAULT_CHANNEL

    def package_for(self, step: str) -> PackageReference | None:
        return next((p for p in self.packages if p.step.lower() == step.lower()), None)


def validate_version(version: str, *, field: str = "version") -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise InvalidInput(
            f'"{version}" is not a valid release version (letters, digits, ".", "-", "+", "_"; 100 characters at most)',
            field=field,
        )
    return version


def next_version(existing: Sequence[str]) -> str:
    """The version a new release gets when none is given: the last version with its last number bumped."""
    if not existing:
        return "0.0.1"
    last = existing[-1]
    match = _NUMERIC_TAIL.match(last)
    if match is None:
        return f"{last}.1"
    candidate = f"{match['head']}{int(match['number']) + 1}{match['tail']}"
    taken = {v.lower() for v in existing}
    while candidate.lower() in taken:  # a hand-picked later version already took it
        match = _NUMERIC_TAIL.match(candidate)
        assert match is not None
        candidate = f"{match['head']}{int(match['number']) + 1}{match['tail']}"
    return candidate
