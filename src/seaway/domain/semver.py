"""Package versions as Octopus orders them: SemVer 2 with 1 to 4 numeric parts, and NuGet version ranges.

`1.0`, `1.0.0` and `1.0.0.0` are the same version (missing parts count as 0), a pre-release sorts below
its release, and build metadata (`+sha.5`) is kept for display but never changes the order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

from seaway.errors import InvalidInput

_IDENTIFIERS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
# A version's text, for patterns that find versions inside longer names (as in package file names).
VERSION_PATTERN = (
    rf"(?P<release>[0-9]+(?:\.[0-9]+){{0,3}})(?:-(?P<pre>{_IDENTIFIERS}))?(?:\+(?P<build>{_IDENTIFIERS}))?"
)
_VERSION = re.compile(VERSION_PATTERN)
_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+")
_NUMERIC_PARTS = 4

# One pre-release identifier's sort key: numeric identifiers compare numerically and below alphanumeric ones.
_IdentifierKey: TypeAlias = tuple[int, int, str]


def _identifier_key(identifier: str) -> _IdentifierKey:
    if identifier.isdigit():
        return (0, int(identifier), "")
    return (1, 0, identifier)


@dataclass(frozen=True, eq=False)
class SemVer:
    release: tuple[int, ...]  # 1 to 4 numbers, as written
    prerelease: tuple[str, ...] = ()  # the dot-separated identifiers after "-"
    build: str = ""  # after "+", shown but never ordered
    _key: tuple[tuple[int, ...], tuple[int, tuple[_IdentifierKey, ...]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= len(self.release) <= _NUMERIC_PARTS or any(part < 0 for part in self.release):
            raise InvalidInput(f"a version has 1 to 4 non-negative numbers, not {self.release}", field="version")
        if any(not _IDENTIFIER.fullmatch(identifier) for identifier in self.prerelease):
            raise InvalidInput(f"pre-release identifiers {self.prerelease} are not all [0-9A-Za-z-]+", field="version")
        if self.build and not re.fullmatch(_IDENTIFIERS, self.build):
            raise InvalidInput(f'build metadata "{self.build}" is not dot-separated [0-9A-Za-z-]+', field="version")
        padded = self.release + (0,) * (_NUMERIC_PARTS - len(self.release))
        # SemVer 2 §11: a release (no identifiers) sorts above all its pre-releases; identifiers compare one by
        # one and a longer list wins when the shorter one is its prefix, which is how tuples compare.
        stage = (1, ()) if not self.prerelease else (0, tuple(_identifier_key(i) for i in self.prerelease))
        object.__setattr__(self, "_key", (padded, stage))

    @property
    def prerelease_tag(self) -> str:
        """The text after "-" without build metadata; "" for a stable version."""
        return ".".join(self.prerelease)

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def __str__(self) -> str:
        text = ".".join(str(part) for part in self.release)
        if self.prerelease:
            text += "-" + self.prerelease_tag
        if self.build:
            text += "+" + self.build
        return text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __lt__(self, other: SemVer) -> bool:
        return self._key < other._key

    def __le__(self, other: SemVer) -> bool:
        return self._key <= other._key

    def __gt__(self, other: SemVer) -> bool:
        return self._key > other._key

    def __ge__(self, other: SemVer) -> bool:
        return self._key >= other._key


def parse_version(text: str) -> SemVer | None:
    """The version `text` spells (surrounding spaces ignored), or None when it is not one."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    pre = match["pre"]
    return SemVer(
        release=tuple(int(part) for part in match["release"].split(".")),
        prerelease=tuple(pre.split(".")) if pre else (),
        build=match["build"] or "",
    )


@dataclass(frozen=True)
class VersionRange:
    """A NuGet version range; None for a bound means unbounded on that side."""

    minimum: SemVer | None
    include_minimum: bool
    maximum: SemVer | None
    include_maximum: bool

    @classmethod
    def parse(cls, text: str, *, field: str = "versions") -> VersionRange:
        """`1.0` (at least 1.0), `[1.0]` (exactly), `[1.0,2.0)`, `(1.0,)`, `(,2.0]`, as NuGet reads them."""
        return _RangeParser(text, field).parse()

    def contains(self, version: SemVer) -> bool:
        above_minimum = (
            self.minimum is None or version > self.minimum or (self.include_minimum and version == self.minimum)
        )
        below_maximum = (
            self.maximum is None or version < self.maximum or (self.include_maximum and version == self.maximum)
        )
        return above_minimum and below_maximum

    def __str__(self) -> str:
        if self.minimum is not None and self.minimum == self.maximum:
            return f"[{self.minimum}]"
        low = "" if self.minimum is None else str(self.minimum)
        high = "" if self.maximum is None else str(self.maximum)
        return f"{'[' if self.include_minimum else '('}{low}, {high}{']' if self.include_maximum else ')'}"


class _RangeParser:
    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field

    def fail(self, reason: str) -> InvalidInput:
        return InvalidInput(f'"{self.text}" is not a version range: {reason}', field=self.field)

    def version(self, part: str) -> SemVer | None:
        part = part.strip()
        if not part:
            return None
        version = parse_version(part)
        if version is None:
            raise self.fail(f'"{part}" is not a version (e.g. 1.0, 2.1.3 or 2.0.0-beta.1)')
        return version

    def parse(self) -> VersionRange:
        body = self.text.strip()
        if not body:
            raise self.fail('it is empty (write e.g. "1.0" for 1.0 or later, "[1.0,2.0)" or "[1.0]")')
        if body[0] in "[(":
            return self.bracketed(body)
        if body[-1] in "])" or "," in body:
            raise self.fail('a range with a comma or a closing bracket must open with "[" or "("')
        return VersionRange(self.version(body), True, None, False)

    def bracketed(self, body: str) -> VersionRange:
        if body[-1] not in "])":
            raise self.fail(f'it opens with "{body[0]}" but does not close with "]" or ")"')
        include_minimum, include_maximum = body[0] == "[", body[-1] == "]"
        parts = body[1:-1].split(",")
        if len(parts) > 2:
            raise self.fail('it has more than one ","')
        if len(parts) == 1:
            if not (include_minimum and include_maximum):
                raise self.fail(f'a single version must be in square brackets, as in "[{parts[0].strip()}]"')
            exact = self.version(parts[0])
            if exact is None:
                raise self.fail("the brackets are empty")
            return VersionRange(exact, True, exact, True)
        minimum, maximum = self.version(parts[0]), self.version(parts[1])
        if minimum is None and maximum is None:
            raise self.fail("it names neither a lower nor an upper bound")
        if minimum is not None and maximum is not None:
            if minimum > maximum:
                raise self.fail(f"its lower bound {minimum} is above its upper bound {maximum}")
            if minimum == maximum and not (include_minimum and include_maximum):
                raise self.fail("it contains no version at all")
        return VersionRange(minimum, include_minimum, maximum, include_maximum)


def latest_version(
    versions: Iterable[str], *, allowed: VersionRange | None = None, tag: str | None = None
) -> str | None:
    """The highest of `versions` (as written) in `allowed` whose pre-release tag `tag` matches (`re.search`).

    `tag="^$"` takes stable versions only, `"^beta"` beta builds only; texts that are no version are passed
    over. Of versions that order equal (`1.0` and `1.0.0`) the first one given wins."""
    try:
        tag_pattern = re.compile(tag) if tag is not None else None
    except re.error as exc:
        raise InvalidInput(f'"{tag}" is not a regular expression: {exc}', field="tag") from exc
    best: tuple[SemVer, str] | None = None
    for text in versions:
        version = parse_version(text)
        if version is None or (allowed is not None and not allowed.contains(version)):
            continue
        if tag_pattern is not None and not tag_pattern.search(version.prerelease_tag):
            continue
        if best is None or version > best[0]:
            best = (version, text)
    return None if best is None else best[1]
