"""Package ids and versions read from a file name, as Octopus reads them (`RandomQuotes.1.0.1.zip`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seaway.domain.packages import PackageFormat
from seaway.domain.semver import VERSION_PATTERN, parse_version
from seaway.errors import InvalidInput

_PACKAGE_ID = re.compile(r"^\w+([_.-]\w+)*$")

# Longest first, so ".tar.gz" is not taken for ".gz" after a version ending in ".tar".
_EXTENSIONS = (
    (".tar.gz", PackageFormat.TAR_GZ),
    (".tar.bz2", PackageFormat.TAR_BZ2),
    (".nupkg", PackageFormat.NUPKG),
    (".tbz2", PackageFormat.TAR_BZ2),
    (".tgz", PackageFormat.TAR_GZ),
    (".tar", PackageFormat.TAR),
    (".zip", PackageFormat.ZIP),
)
SUPPORTED_EXTENSIONS = ".zip, .nupkg, .tar, .tar.gz, .tgz, .tar.bz2, .tbz2"

# Calamari's TryParseUnsafeFileName: the id is lazy, so it is the shortest prefix that leaves a valid version.
_FILE_STEM = re.compile(rf"(?P<id>\w+(?:[_.-]\w+)*?)\.(?P<version>{VERSION_PATTERN})", re.IGNORECASE)
_ENDS_IN_VERSION = re.compile(rf"\.{VERSION_PATTERN}$")


@dataclass(frozen=True)
class ParsedFileName:
    package_id: str
    version: str  # as written, build metadata included
    format: PackageFormat


def validate_package_id(package_id: str, *, field: str = "package.id") -> str:
    if len(package_id) > 100 or not _PACKAGE_ID.match(package_id):
        raise InvalidInput(
            f'"{package_id}" is not a valid package id (letters and digits in parts joined by ".", "-" or "_")',
            field=field,
        )
    return package_id


def detect_format(file_name: str) -> PackageFormat | None:
    """The archive format a file name's extension names (case ignored), or None for any other name."""
    split = _split_extension(file_name)
    return None if split is None else split[1]


def package_format(file_name: str, *, field: str = "file") -> PackageFormat:
    """The archive format of `file_name`; InvalidInput naming the supported extensions for any other."""
    fmt = detect_format(file_name)
    if fmt is None:
        raise InvalidInput(
            f'"{_base_name(file_name)}" is not a package file: its name must end in one of {SUPPORTED_EXTENSIONS}',
            field=field,
        )
    return fmt


def parse_package_file_name(name: str) -> ParsedFileName:
    """`RandomQuotes.1.0.1.zip` → (`RandomQuotes`, `1.0.1`, zip); any directory part of `name` is ignored."""
    base = _base_name(name)
    fmt = package_format(base)
    split = _split_extension(base)
    assert split is not None  # package_format has refused any other extension
    stem = split[0]
    match = _FILE_STEM.fullmatch(stem)
    if match is None:
        if _ENDS_IN_VERSION.search(stem):
            raise InvalidInput(
                f'"{base}" does not start with a valid package id '
                '(letters and digits in parts joined by ".", "-" or "_", then ".<version>")',
                field="file",
            )
        raise InvalidInput(
            f'"{base}" has no version in its name (expected <id>.<version>.<ext>, e.g. RandomQuotes.1.0.1.zip)',
            field="file",
        )
    version = match["version"]
    assert parse_version(version) is not None  # the file-name pattern only matches versions
    return ParsedFileName(validate_package_id(match["id"], field="file"), version, fmt)


def _split_extension(file_name: str) -> tuple[str, PackageFormat] | None:
    lower = file_name.lower()
    for suffix, fmt in _EXTENSIONS:
        if lower.endswith(suffix):
            return file_name[: -len(suffix)], fmt
    return None


def _base_name(name: str) -> str:
    # Browsers and Windows clients may send a path; either separator ends a directory part.
    return re.split(r"[\\/]", name)[-1]
