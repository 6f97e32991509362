"""A nupkg's manifest gives its id, version, description and release notes, and nothing else gets in."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from tests.fixtures.archives import nuspec_xml, write_nupkg, write_zip

from seaway.packages.archives import ArchiveRejected
from seaway.packages.nuspec import NuspecFacts, read_nuspec

APP = {"appsettings.json": "{}"}


@pytest.mark.parametrize(
    "namespace",
    [
        "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd",
        "",
    ],
)
def test_the_manifest_is_read_whatever_its_namespace(tmp_path: Path, namespace: str) -> None:
    manifest = nuspec_xml(
        "RandomQuotes", "1.0.1-beta.2", description="Quotes", release_notes="Fixed <b>", namespace=namespace
    ).replace("Fixed <b>", "Fixed &lt;b&gt;")
    nupkg = write_nupkg(
        tmp_path / "RandomQuotes.1.0.1-beta.2.nupkg", "RandomQuotes", "1.0.1-beta.2", APP, nuspec=manifest
    )
    assert read_nuspec(nupkg) == NuspecFacts("RandomQuotes", "1.0.1-beta.2", "Quotes", "Fixed <b>")


def test_text_around_the_values_is_trimmed_and_a_missing_description_is_empty(tmp_path: Path) -> None:
    manifest = "<package><metadata><id>\n  P  </id><version> 2.0 </version></metadata></package>"
    nupkg = write_nupkg(tmp_path / "p.nupkg", "P", "2.0", APP, nuspec=manifest)
    assert read_nuspec(nupkg) == NuspecFacts("P", "2.0", "", "")


def test_a_nupkg_without_a_manifest_at_its_root_is_refused(tmp_path: Path) -> None:
    nupkg = write_zip(tmp_path / "bare.nupkg", {"content/P.nuspec": nuspec_xml("P", "1.0"), "a.txt": "a"})
    with pytest.raises(ArchiveRejected) as error:
        read_nuspec(nupkg)
    assert error.value.field == "package"
    assert error.value.message == "bare.nupkg has no .nuspec manifest at its root, so its id and version are unknown"


def test_two_manifests_are_refused(tmp_path: Path) -> None:
    nupkg = write_zip(tmp_path / "two.nupkg", {"A.nuspec": nuspec_xml("A", "1.0"), "B.nuspec": nuspec_xml("B", "1.0")})
    with pytest.raises(
        ArchiveRejected, match=re.escape('more than one .nuspec manifest at its root: "A.nuspec", "B.nuspec"')
    ):
        read_nuspec(nupkg)


@pytest.mark.parametrize(
    ("package_id", "version", "missing"),
    [("P", None, "has no <version>,"), (None, "1.0", "has no <id>,"), (None, None, "has no <id> and no <version>")],
)
def test_a_manifest_without_id_or_version_is_refused(
    tmp_path: Path, package_id: str | None, version: str | None, missing: str
) -> None:
    nupkg = write_nupkg(tmp_path / "P.1.0.nupkg", "P", "1.0", APP, nuspec=nuspec_xml(package_id, version))
    with pytest.raises(ArchiveRejected) as error:
        read_nuspec(nupkg)
    assert error.value.message.startswith('P.1.0.nupkg: its manifest "P.nuspec" ')
    assert missing in error.value.message


def test_an_empty_version_counts_as_missing(tmp_path: Path) -> None:
    nupkg = write_nupkg(tmp_path / "p.nupkg", "P", "1.0", APP, nuspec=nuspec_xml("P", "  "))
    with pytest.raises(ArchiveRejected, match="has no <version>"):
        read_nuspec(nupkg)


def test_a_manifest_that_is_not_xml_is_refused(tmp_path: Path) -> None:
    nupkg = write_nupkg(tmp_path / "p.nupkg", "P", "1.0", APP, nuspec="<package><metadata><id>P</id>")
    with pytest.raises(ArchiveRejected, match=re.escape('its manifest "P.nuspec" is not well-formed XML')):
        read_nuspec(nupkg)


def test_a_manifest_of_another_shape_is_refused(tmp_path: Path) -> None:
    nupkg = write_nupkg(tmp_path / "p.nupkg", "P", "1.0", APP, nuspec="<project><id>P</id></project>")
    with pytest.raises(ArchiveRejected, match=r"has no <package><metadata> element"):
        read_nuspec(nupkg)


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    manifest = (
        f'<?xml version="1.0"?><!DOCTYPE package [<!ENTITY file SYSTEM "file://{secret}"><!ENTITY word "INLINED">]>'
        "<package><metadata><id>P</id><version>1.0</version>"
        "<description>a &file; b &word; c</description></metadata></package>"
    )
    nupkg = write_nupkg(tmp_path / "p.nupkg", "P", "1.0", APP, nuspec=manifest)
    facts = read_nuspec(nupkg)
    assert "TOP-SECRET" not in facts.description
    assert "INLINED" not in facts.description
    assert facts.description == "a &file; b &word; c"


def test_an_entity_bomb_is_not_expanded(tmp_path: Path) -> None:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    manifest = (
        f'<?xml version="1.0"?><!DOCTYPE package [<!ENTITY l0 "lol">{levels}]>'
        "<package><metadata><id>P</id><version>1.0</version><description>&l9;</description></metadata></package>"
    )
    nupkg = write_nupkg(tmp_path / "p.nupkg", "P", "1.0", APP, nuspec=manifest)
    # libxml2 may refuse the declarations outright (its amplification guard); it must never expand them.
    try:
        description = read_nuspec(nupkg).description
    except ArchiveRejected as refused:
        assert "not well-formed XML" in refused.message
    else:
        assert description == "&l9;"


def test_a_nupkg_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    nupkg = tmp_path / "p.nupkg"
    nupkg.write_text("not a zip")
    with pytest.raises(ArchiveRejected, match=re.escape("p.nupkg is not a readable nupkg archive")):
        read_nuspec(nupkg)


def test_messages_use_the_pushed_name(tmp_path: Path) -> None:
    nupkg = tmp_path / "a1b2c3"
    with zipfile.ZipFile(nupkg, "w") as zf:
        zf.writestr("a.txt", "a")
    with pytest.raises(ArchiveRejected) as error:
        read_nuspec(nupkg, display_name="RandomQuotes.1.0.1.nupkg")
    assert error.value.message.startswith("RandomQuotes.1.0.1.nupkg has no .nuspec")
