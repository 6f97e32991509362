"""A nupkg's own description of itself: the `.nuspec` manifest at the root of the zip."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from seaway.packages.archive_entries import READ_ERRORS
from seaway.packages.archives import ArchiveRejected

MAX_NUSPEC_BYTES = 1024 * 1024  # real manifests are a few KB; this bounds what a hostile one can cost

# No DTD loaded, no entity expanded, nothing fetched: a manifest is data from whoever pushed the package.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class NuspecFacts:
    package_id: str
    version: str  # as written in the manifest
    description: str = ""
    release_notes: str = ""


def read_nuspec(nupkg: Path, *, display_name: str | None = None) -> NuspecFacts:
    """The id, version, description and release notes a nupkg's manifest declares, whatever its namespace.

    Raises ArchiveRejected naming the file when it is no readable zip, has no (or several) `.nuspec` at its
    root, or the manifest is not XML or lacks an id or a version."""
    shown = display_name or nupkg.name
    manifest_name, data = _manifest(nupkg, shown)

    def refuse(problem: str) -> ArchiveRejected:
        return ArchiveRejected(f'{shown}: its manifest "{manifest_name}" {problem}', field="package")

    if len(data) > MAX_NUSPEC_BYTES:
        raise refuse(f"is larger than {MAX_NUSPEC_BYTES} bytes")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise refuse(f"is not well-formed XML: {exc}") from exc
    metadata = _child(root, "metadata") if _local_name(root) == "package" else None
    if metadata is None:
        raise refuse("has no <package><metadata> element")
    facts = NuspecFacts(
        package_id=_text(_child(metadata, "id")),
        version=_text(_child(metadata, "version")),
        description=_text(_child(metadata, "description")),
        release_notes=_text(_child(metadata, "releaseNotes")),
    )
    missing = [name for name, value in (("<id>", facts.package_id), ("<version>", facts.version)) if not value]
    if missing:
        raise refuse(f"has no {' and no '.join(missing)}, so the package cannot be identified")
    return facts


def _manifest(nupkg: Path, shown: str) -> tuple[str, bytes]:
    try:
        with zipfile.ZipFile(nupkg) as zf:
            manifests = [i for i in zf.infolist() if "/" not in i.filename and i.filename.lower().endswith(".nuspec")]
            if not manifests:
                raise ArchiveRejected(
                    f"{shown} has no .nuspec manifest at its root, so its id and version are unknown", field="package"
                )
            if len(manifests) > 1:
                names = ", ".join(f'"{m.filename}"' for m in manifests)
                raise ArchiveRejected(
                    f"{shown} has more than one .nuspec manifest at its root: {names}", field="package"
                )
            with zf.open(manifests[0]) as manifest:
                return manifests[0].filename, manifest.read(MAX_NUSPEC_BYTES + 1)
    except READ_ERRORS as exc:
        raise ArchiveRejected(f"{shown} is not a readable nupkg archive: {exc}", field="package") from exc


def _local_name(element: etree._Element) -> str:
    return str(etree.QName(element).localname) if isinstance(element.tag, str) else ""


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return next((child for child in parent if _local_name(child) == name), None)


def _text(element: etree._Element | None) -> str:
    # An entity reference stays as written ("&name;"): the parser is told never to expand one.
    return "" if element is None else "".join(element.itertext()).strip()
