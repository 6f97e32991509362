"""What a pushed file is: its package id, version and format, refused before it is stored if unusable."""

from __future__ import annotations

from pathlib import Path

from seaway.domain.package_names import ParsedFileName, package_format, parse_package_file_name, validate_package_id
from seaway.domain.packages import PackageFormat
from seaway.domain.semver import parse_version
from seaway.errors import InvalidInput
from seaway.packages.archives import ArchiveRejected, ExtractLimits, inspect_archive
from seaway.packages.nuspec import read_nuspec


def identify_package(path: Path, file_name: str, *, limits: ExtractLimits | None = None) -> ParsedFileName:
    """The id, version and format of the package at `path`, pushed under the name `file_name`."""
    return describe_package(path, file_name, limits=limits)[0]


def describe_package(path: Path, file_name: str, *, limits: ExtractLimits | None = None) -> tuple[ParsedFileName, str]:
    """`identify_package`, and a nupkg's description (its manifest is read once for both; "" otherwise).

    A nupkg is identified by its manifest (its file name need only end in .nupkg), any other archive by its
    file name as Octopus reads it (`RandomQuotes.1.0.1.zip`). The whole listing is then checked, so a corrupt
    archive or one with an entry escaping its directory is refused now rather than at deployment.
    Raises InvalidInput (field "file") for a name without a version, ArchiveRejected for the contents."""
    fmt = package_format(file_name)
    if fmt is PackageFormat.NUPKG:
        facts = read_nuspec(path, display_name=file_name)
        try:
            validate_package_id(facts.package_id, field="package")
        except InvalidInput as exc:
            raise ArchiveRejected(f"{file_name}: its manifest's id {exc.message}", field="package") from exc
        if parse_version(facts.version) is None:
            raise ArchiveRejected(
                f'{file_name}: its manifest\'s version "{facts.version}" is not a SemVer version (e.g. 1.0.1)',
                field="package",
            )
        parsed, description = ParsedFileName(facts.package_id, facts.version, fmt), facts.description
    else:
        parsed, description = parse_package_file_name(file_name), ""
    inspect_archive(path, fmt, limits=limits or ExtractLimits(), display_name=file_name)
    return parsed, description
