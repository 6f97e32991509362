"""`VersionMajor` ... `VersionMetadata`: parts of a version string, read as Octopus reads versions.

The whole string must match: an optional `v`, up to four dot-separated numbers, an optional
separator (`.`, `-`, `_` or `\\`), an optional pre-release (a prefix of letters and digits, then
optionally a separator and a counter), and an optional `+metadata`. Missing numbers read as `0`,
missing text parts as `""`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from seaway.domain.templates.filters.context import Filter, FilterContext

_VERSION = re.compile(
    r"[vV]?(?:(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+))?(?:\.(?P<patch>[0-9]+))?(?:\.(?P<revision>[0-9]+))?)?"
    r"[.\-_\\]?"
    r"(?P<prerelease>(?P<prefix>[A-Za-z0-9]*)(?:[.\-_\\](?P<counter>[A-Za-z0-9.\-_\\]*))?)"
    r"(?:\+(?P<metadata>.*))?",
    re.DOTALL,
)
_NUMERIC = ("major", "minor", "patch", "revision")


def _part(name: str) -> Filter:
    def part(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
        if not argument:
            return None
        match = _VERSION.fullmatch(argument)
        if match is None:
            return None
        value = match.group(name)
        if name in _NUMERIC:
            return str(int(value)) if value else "0"
        return value or ""

    return part


PARTS: dict[str, Callable[[str | None, Sequence[str], FilterContext], str | None]] = {
    "versionmajor": _part("major"),
    "versionminor": _part("minor"),
    "versionpatch": _part("patch"),
    "versionrevision": _part("revision"),
    "versionprerelease": _part("prerelease"),
    "versionprereleaseprefix": _part("prefix"),
    "versionprereleasecounter": _part("counter"),
    "versionmetadata": _part("metadata"),
}
