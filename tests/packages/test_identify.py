"""A pushed file is identified by its name (or a nupkg by its manifest) and its listing checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.fixtures.archives import nuspec_xml, write_nupkg, write_tar, write_zip

from seaway.domain.package_names import ParsedFileName
from seaway.domain.packages import PackageFormat
from seaway.errors import InvalidInput
from seaway.packages.archives import ArchiveRejected, ExtractLimits
from seaway.packages.identify import identify_package

APP = {"appsettings.json": "{}", "Deploy.sh": "#!/bin/sh\n"}


def test_a_zip_is_identified_by_its_name(tmp_path: Path) -> None:
    upload = write_zip(tmp_path / "upload.tmp", APP)
    assert identify_package(upload, "RandomQuotes.1.0.1.zip") == ParsedFileName(
        "RandomQuotes", "1.0.1", PackageFormat.ZIP
    )


def test_a_tar_gz_with_pre_release_and_metadata_is_identified_by_its_name(tmp_path: Path) -> None:
    upload = write_tar(tmp_path / "upload.tmp", APP)
    assert identify_package(upload, "My.App.2.0.0-beta.1+sha.5.tgz") == ParsedFileName(
        "My.App", "2.0.0-beta.1+sha.5", PackageFormat.TAR_GZ
    )


def test_a_nupkg_is_identified_by_its_manifest_not_its_name(tmp_path: Path) -> None:
    upload = write_nupkg(tmp_path / "upload.tmp", "RandomQuotes", "1.0.1-rc.1", APP)
    assert identify_package(upload, "whatever-ci-called-it.nupkg") == ParsedFileName(
        "RandomQuotes", "1.0.1-rc.1", PackageFormat.NUPKG
    )


def test_a_name_without_a_version_is_refused_before_reading(tmp_path: Path) -> None:
    upload = tmp_path / "upload.tmp"
    upload.write_text("not even read")
    with pytest.raises(InvalidInput) as error:
        identify_package(upload, "Foo.zip")
    assert error.value.field == "file"
    assert "has no version in its name" in error.value.message


def test_an_unsupported_extension_is_refused(tmp_path: Path) -> None:
    upload = write_zip(tmp_path / "upload.tmp", APP)
    with pytest.raises(InvalidInput, match=r"must end in one of \.zip"):
        identify_package(upload, "RandomQuotes.1.0.1.rar")


def test_a_traversal_archive_is_refused_at_push(tmp_path: Path) -> None:
    upload = write_zip(tmp_path / "upload.tmp", {"../../etc/cron.d/x": "pwned"})
    with pytest.raises(ArchiveRejected, match=re.escape('RandomQuotes.1.0.1.zip: entry "../../etc/cron.d/x"')):
        identify_package(upload, "RandomQuotes.1.0.1.zip")


def test_a_corrupt_archive_is_refused_at_push(tmp_path: Path) -> None:
    upload = tmp_path / "upload.tmp"
    upload.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(ArchiveRejected, match=re.escape("RandomQuotes.1.0.1.tar.gz is not a readable tar.gz archive")):
        identify_package(upload, "RandomQuotes.1.0.1.tar.gz")


def test_a_nupkg_whose_manifest_version_is_no_semver_is_refused(tmp_path: Path) -> None:
    upload = write_nupkg(tmp_path / "upload.tmp", "P", "1.0", APP, nuspec=nuspec_xml("P", "one-point-oh"))
    with pytest.raises(ArchiveRejected, match=re.escape('version "one-point-oh" is not a SemVer version')):
        identify_package(upload, "P.nupkg")


def test_a_nupkg_whose_manifest_id_is_invalid_is_refused(tmp_path: Path) -> None:
    upload = write_nupkg(tmp_path / "upload.tmp", "P", "1.0", APP, nuspec=nuspec_xml("bad id!", "1.0"))
    with pytest.raises(
        ArchiveRejected, match=re.escape('P.nupkg: its manifest\'s id "bad id!" is not a valid package id')
    ):
        identify_package(upload, "P.nupkg")


def test_a_nupkg_without_a_version_is_refused(tmp_path: Path) -> None:
    upload = write_nupkg(tmp_path / "upload.tmp", "P", "1.0", APP, nuspec=nuspec_xml("P", None))
    with pytest.raises(ArchiveRejected, match=r"P\.1\.0\.nupkg: its manifest .* has no <version>"):
        identify_package(upload, "P.1.0.nupkg")


def test_the_entry_limit_applies_at_push(tmp_path: Path) -> None:
    upload = write_zip(tmp_path / "upload.tmp", {f"f{i}": "x" for i in range(3)})
    with pytest.raises(ArchiveRejected, match="2 entries"):
        identify_package(upload, "P.1.0.zip", limits=ExtractLimits(max_entries=2))
