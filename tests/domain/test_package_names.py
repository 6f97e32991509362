"""Package ids and versions are read from file names exactly as Calamari reads them."""

from __future__ import annotations

import pytest

from seaway.domain.package_names import (
    ParsedFileName,
    detect_format,
    package_format,
    parse_package_file_name,
    validate_package_id,
)
from seaway.domain.packages import PackageFormat
from seaway.domain.semver import parse_version
from seaway.errors import InvalidInput

EXTENSIONS = [
    (".zip", PackageFormat.ZIP),
    (".nupkg", PackageFormat.NUPKG),
    (".tar", PackageFormat.TAR),
    (".tar.gz", PackageFormat.TAR_GZ),
    (".tgz", PackageFormat.TAR_GZ),
    (".tar.bz2", PackageFormat.TAR_BZ2),
    (".tbz2", PackageFormat.TAR_BZ2),
]
# Calamari's own cases (PackageNameFixture), crossed with every extension.
STEMS = [
    ("foo.1.0.0", "foo", "1.0.0"),
    ("foo.1.0.0-tag", "foo", "1.0.0-tag"),
    ("foo.1.0.0-tag-release.tag", "foo", "1.0.0-tag-release.tag"),
    ("foo.1.0.0+buildmeta", "foo", "1.0.0+buildmeta"),
    ("foo.1.0.0-tag-release.tag+buildmeta", "foo", "1.0.0-tag-release.tag+buildmeta"),
]


@pytest.mark.parametrize(("stem", "package_id", "version"), STEMS)
@pytest.mark.parametrize(("extension", "fmt"), EXTENSIONS)
def test_calamaris_file_names(stem: str, package_id: str, version: str, extension: str, fmt: PackageFormat) -> None:
    assert parse_package_file_name(stem + extension) == ParsedFileName(package_id, version, fmt)


@pytest.mark.parametrize(
    ("name", "package_id", "version"),
    [
        ("RandomQuotes.1.0.1.zip", "RandomQuotes", "1.0.1"),
        ("My.App.2.0.0-beta.1+sha.5.tar.gz", "My.App", "2.0.0-beta.1+sha.5"),
        ("hello-world.1.0.0.zip", "hello-world", "1.0.0"),
        ("Acme_Web-Api.3.2.zip", "Acme_Web-Api", "3.2"),
        ("Acme.Web.1.0.1.7.zip", "Acme.Web", "1.0.1.7"),
        # The id is the shortest prefix that leaves a version: five numbers cannot all be the version.
        ("Foo.1.2.3.4.5.zip", "Foo.1", "2.3.4.5"),
        ("App2.10.zip", "App2", "10"),
        ("App.1.0-rc.tar.bz2", "App", "1.0-rc"),
        ("RandomQuotes.1.0.1.ZIP", "RandomQuotes", "1.0.1"),
        ("Zürich.1.0.zip", "Zürich", "1.0"),
        # As Calamari reads them too, though their authors probably meant otherwise.
        ("Foo-1.0.zip", "Foo-1", "0"),
        ("1.0.zip", "1", "0"),
    ],
)
def test_the_id_is_the_shortest_prefix_that_leaves_a_version(name: str, package_id: str, version: str) -> None:
    parsed = parse_package_file_name(name)
    assert (parsed.package_id, parsed.version) == (package_id, version)
    assert parse_version(parsed.version) is not None


@pytest.mark.parametrize("name", ["builds/RandomQuotes.1.0.1.zip", "C:\\builds\\RandomQuotes.1.0.1.zip"])
def test_a_directory_part_of_the_name_is_ignored(name: str) -> None:
    assert parse_package_file_name(name) == ParsedFileName("RandomQuotes", "1.0.1", PackageFormat.ZIP)


@pytest.mark.parametrize("name", ["Foo.zip", "Foo.latest.zip", "Foo.v1.zip", "Foo-1.zip"])
def test_a_name_without_a_version_says_so(name: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_package_file_name(name)
    assert error.value.field == "file"
    assert error.value.message == (
        f'"{name}" has no version in its name (expected <id>.<version>.<ext>, e.g. RandomQuotes.1.0.1.zip)'
    )


@pytest.mark.parametrize("name", ["-Foo.1.0.zip", "Foo..1.0.zip", "My App.1.0.zip"])
def test_a_name_with_a_version_but_no_valid_id_says_so(name: str) -> None:
    with pytest.raises(InvalidInput, match="does not start with a valid package id") as error:
        parse_package_file_name(name)
    assert error.value.field == "file"


def test_an_id_over_100_characters_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_package_file_name("a" * 101 + ".1.0.zip")
    assert error.value.field == "file"


@pytest.mark.parametrize("name", ["RandomQuotes.1.0.1.rar", "RandomQuotes.1.0.1.jar", "RandomQuotes.1.0.1", "x.gz"])
def test_an_unsupported_extension_names_the_supported_ones(name: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_package_file_name(name)
    assert error.value.field == "file"
    assert error.value.message == (
        f'"{name}" is not a package file: its name must end in one of '
        ".zip, .nupkg, .tar, .tar.gz, .tgz, .tar.bz2, .tbz2"
    )


@pytest.mark.parametrize(("extension", "fmt"), EXTENSIONS)
def test_the_format_follows_the_extension(extension: str, fmt: PackageFormat) -> None:
    assert detect_format("anything" + extension) is fmt
    assert detect_format("ANYTHING" + extension.upper()) is fmt
    assert package_format("a/b" + extension) is fmt


def test_an_unknown_extension_has_no_format() -> None:
    assert detect_format("notes.txt") is None
    with pytest.raises(InvalidInput) as error:
        package_format("notes.txt", field="package")
    assert error.value.field == "package"


def test_package_ids_are_validated_with_the_callers_field() -> None:
    assert validate_package_id("Acme.Web-Api_2") == "Acme.Web-Api_2"
    with pytest.raises(InvalidInput) as error:
        validate_package_id("bad id", field="steps[0].package.id")
    assert error.value.field == "steps[0].package.id"
