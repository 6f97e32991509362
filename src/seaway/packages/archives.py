"""Package archives checked and unpacked safely: nothing outside the destination, no bombs, nothing half-done.

An entry is refused when its path is absolute or climbs out with "..", when it is a link whose target
lies outside, a device or a fifo, or when it goes through a file or a link of the archive. Sizes in
headers are never believed: the bytes actually written are counted against the limits.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from seaway.domain.package_names import detect_format
from seaway.domain.packages import PackageFormat
from seaway.errors import Conflict, InvalidInput
from seaway.packages.archive_entries import CHUNK, MAX_LINK_TARGET, READ_ERRORS, ArchiveEntry, EntryKind, read_entries

__all__ = ["ArchiveRejected", "ExtractLimits", "detect_format", "extract_archive", "inspect_archive"]

_Parts = tuple[str, ...]
_OPEN_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class ArchiveRejected(InvalidInput):
    """The archive is corrupt, or would write outside its directory, or unpacks to too much."""

    code = "archive_rejected"


@dataclass(frozen=True)
class ExtractLimits:
    max_total_bytes: int = 10 * 1024**3
    max_ratio: float = 200.0  # unpacked size over archive size
    max_entries: int = 200_000


def inspect_archive(
    path: Path, fmt: PackageFormat, *, limits: ExtractLimits = ExtractLimits(), display_name: str | None = None
) -> int:
    """How many files (and links) `path` would unpack to, having read its whole listing without writing.

    Raises ArchiveRejected for what `extract_archive` would refuse from the listing alone: an unreadable or
    truncated archive, an entry that escapes, a device, too many entries. (Bombs show only when unpacking.)
    """
    listing = _Listing(display_name or path.name, limits)
    with listing.reading(path, fmt) as entries:
        for entry in entries:
            listing.admit(entry)
    return listing.count


def extract_archive(
    archive: Path,
    destination: Path,
    fmt: PackageFormat,
    *,
    limits: ExtractLimits = ExtractLimits(),
    display_name: str | None = None,
) -> int:
    """Unpack `archive` into `destination` (which must not exist yet) and return how many files it held.

    It is unpacked into a staging directory beside `destination` and renamed into place only once whole, so
    a refused archive leaves neither. Files keep their read, write and execute bits (a packaged Deploy.sh
    stays runnable). `display_name` is how messages name the archive (its file name by default).
    """
    shown = display_name or archive.name
    try:
        archive_size = archive.stat().st_size
    except OSError as exc:
        raise ArchiveRejected(f"{shown} cannot be read: {exc.strerror}", field="package") from exc
    if os.path.lexists(destination):
        raise Conflict(f"{destination} already exists; an archive is only unpacked into a new directory")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")
    staging.mkdir()
    try:
        unpacker = _Unpacker(shown, limits, staging, archive_size)
        with unpacker.reading(archive, fmt) as entries:
            for entry in entries:
                unpacker.unpack(entry)
        unpacker.check_links_resolve_inside()
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return unpacker.count


@dataclass(frozen=True)
class _Admitted:
    parts: _Parts
    new_directories: list[_Parts]  # parents the archive implies, then the entry itself if a directory
    replaces: bool  # a later entry of the same name wins, as with unzip and tar
    link_source: _Parts = ()  # what a hard link repeats


class _Listing:
    """Decides entry by entry whether an archive may be unpacked, keeping what each path has become."""

    def __init__(self, shown: str, limits: ExtractLimits) -> None:
        self.shown = shown
        self.limits = limits
        self.kinds: dict[_Parts, EntryKind] = {(): EntryKind.DIRECTORY}
        self.count = 0
        self.entries = 0
        self.current = ""

    def refuse(self, name: str, reason: str) -> ArchiveRejected:
        return ArchiveRejected(f'{self.shown}: entry "{name}" {reason}', field="package")

    @contextmanager
    def reading(self, archive: Path, fmt: PackageFormat) -> Iterator[Iterator[ArchiveEntry]]:
        """The entries of `archive`, with every read error turned into a refusal naming the archive."""
        try:
            with closing(read_entries(archive, fmt)) as entries:
                yield entries
        except READ_ERRORS as error:
            where = f' (at entry "{self.current}")' if self.current else ""
            raise ArchiveRejected(
                f"{self.shown} is not a readable {fmt} archive{where}: {error}", field="package"
            ) from error

    def admit(self, entry: ArchiveEntry) -> _Admitted:
        self.current = entry.name
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise self.refuse(entry.name, f"is one more than the {self.limits.max_entries} entries allowed")
        if entry.kind is EntryKind.SPECIAL:
            raise self.refuse(entry.name, "is a device, fifo or socket, which a package may not contain")
        parts = self.relative_parts(entry.name, entry.name)
        new_directories = self.parents(entry.name, parts)
        existing = self.kinds.get(parts)
        if entry.kind is EntryKind.DIRECTORY:
            if existing is None:
                new_directories.append(parts)
            elif existing is not EntryKind.DIRECTORY:
                raise self.refuse(entry.name, f"is a directory where the archive already has a {existing.value}")
            self.kinds[parts] = EntryKind.DIRECTORY
            return _Admitted(parts, new_directories, replaces=False)
        if not parts:
            raise self.refuse(entry.name, "has no name")
        if existing is EntryKind.DIRECTORY:
            raise self.refuse(entry.name, f"is a {entry.kind.value} where the archive already has a directory")
        source: _Parts = ()
        if entry.kind is EntryKind.SYMLINK:
            self.check_symlink(entry, parts)
        elif entry.kind is EntryKind.HARDLINK:
            source = self.relative_parts(entry.name, entry.link, link=True)
            if self.kinds.get(source) is not EntryKind.FILE:
                raise self.refuse(
                    entry.name, f'is a hard link to "{entry.link}", which is not a file earlier in the archive'
                )
        self.kinds[parts] = EntryKind.SYMLINK if entry.kind is EntryKind.SYMLINK else EntryKind.FILE
        self.count += 1
        return _Admitted(parts, new_directories, replaces=existing is not None, link_source=source)

    def relative_parts(self, name: str, path: str, *, link: bool = False) -> _Parts:
        """`path` as directories and a name below the destination; `link` when it is a hard link's target."""
        subject = f'is a hard link to "{path}", which ' if link else ""
        if "\0" in path:
            raise self.refuse(name, f"{subject}holds a NUL character")
        if path.startswith("/") or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
            raise self.refuse(name, f"{subject}is an absolute path, outside the destination")
        parts = tuple(part for part in path.split("/") if part not in ("", "."))
        if ".." in parts:
            raise self.refuse(name, f'{subject}climbs out of the destination with ".."')
        return parts

    def parents(self, name: str, parts: _Parts) -> list[_Parts]:
        implied = []
        for depth in range(1, len(parts)):
            parent = parts[:depth]
            kind = self.kinds.get(parent)
            if kind is None:
                self.kinds[parent] = EntryKind.DIRECTORY
                implied.append(parent)
            elif kind is not EntryKind.DIRECTORY:
                # Writing through a link could land anywhere; through a file it cannot work at all.
                raise self.refuse(name, f'goes through "{"/".join(parent)}", which is a {kind.value} in the archive')
        return implied

    def check_symlink(self, entry: ArchiveEntry, parts: _Parts) -> None:
        target = entry.link
        if not target or len(target) > MAX_LINK_TARGET or "\0" in target:
            raise self.refuse(entry.name, "is a symbolic link without a usable target")
        if target.startswith("/"):
            raise self.refuse(entry.name, f'is a symbolic link to "{target}", outside the destination')
        resolved = list(parts[:-1])
        for part in target.split("/"):
            if part == "..":
                if not resolved:
                    raise self.refuse(entry.name, f'is a symbolic link to "{target}", outside the destination')
                resolved.pop()
            elif part not in ("", "."):
                resolved.append(part)


class _Unpacker(_Listing):
    """Writes what the listing admits, and only that: parents are directories it made itself, files are
    created new without following links, and the bytes written are counted as they go."""

    def __init__(self, shown: str, limits: ExtractLimits, root: Path, archive_size: int) -> None:
        super().__init__(shown, limits)
        self.root = root
        self.real_root = os.path.realpath(root)
        self.written = 0
        by_ratio = int(limits.max_ratio * archive_size)
        self.budget = min(limits.max_total_bytes, by_ratio)
        self.over_budget = (
            f"unpacks to more than {limits.max_total_bytes} bytes, the limit"
            if limits.max_total_bytes <= by_ratio
            else f"unpacks to more than {limits.max_ratio:g} times the archive's {archive_size} bytes"
        )
        self.symlinks: dict[_Parts, str] = {}

    def path(self, parts: _Parts) -> Path:
        return self.root.joinpath(*parts)

    def unpack(self, entry: ArchiveEntry) -> None:
        admitted = self.admit(entry)
        target = self.path(admitted.parts)
        with self.writing(entry):
            for directory in admitted.new_directories:
                self.path(directory).mkdir()
            if entry.kind is EntryKind.DIRECTORY:
                return
            if admitted.replaces:
                target.unlink()
            self.symlinks.pop(admitted.parts, None)
            if entry.kind is EntryKind.SYMLINK:
                target.symlink_to(entry.link)
                self.symlinks[admitted.parts] = entry.name
            elif entry.kind is EntryKind.HARDLINK:
                os.link(self.path(admitted.link_source), target, follow_symlinks=False)
        if entry.kind is EntryKind.FILE:
            self.write_file(entry, target)

    @contextmanager
    def writing(self, entry: ArchiveEntry) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise self.refuse(entry.name, f"could not be written: {exc.strerror or exc}") from exc

    def write_file(self, entry: ArchiveEntry, target: Path) -> None:
        assert entry.content is not None
        # Never setuid, setgid or sticky; always readable and writable by the owner, as the deployment edits
        # files after unpacking (variable substitution). Without recorded bits the umask decides, as for unzip.
        permissions = (entry.mode & 0o777) | 0o600 if entry.mode else 0o666
        with self.writing(entry):
            fd = os.open(target, _OPEN_NEW_FILE, permissions)
        with io.FileIO(fd, "wb") as out, entry.content() as content:
            # Read errors (a corrupt or truncated archive) surface from content.read, outside `writing`.
            while chunk := content.read(CHUNK):
                self.written += len(chunk)
                if self.written > self.budget:
                    raise self.refuse(entry.name, self.over_budget)
                with self.writing(entry):
                    view = memoryview(chunk)
                    while view:
                        view = view[out.write(view) :]

    def check_links_resolve_inside(self) -> None:
        # Each link was checked alone; together (a link through another link) they could still lead out.
        for parts, name in self.symlinks.items():
            resolved = os.path.realpath(self.path(parts))
            if resolved != self.real_root and not resolved.startswith(self.real_root + os.sep):
                raise self.refuse(name, "is a symbolic link that leads outside the destination through other links")
