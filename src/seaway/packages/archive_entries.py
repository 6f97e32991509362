"""Zip and tar archives read entry by entry, streaming, whatever their compression.

This only reads: it says what each entry claims to be. Whether an entry may be unpacked is decided by
`archives`, which also turns the read errors below into a refusal naming the archive.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from seaway.domain.packages import PackageFormat
from seaway.packages.on_machine import is_nuget_metadata

CHUNK = 1024 * 1024  # large reads keep decompression in C, not in a Python loop per small block
MAX_LINK_TARGET = 4095  # PATH_MAX less one: a longer link target cannot be created anyway

# What the standard library raises for an archive that is corrupt, truncated, encrypted or uses a
# compression method it cannot read.
READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    tarfile.TarError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


class EntryKind(Enum):
    FILE = "file"
    DIRECTORY = "directory"
    SYMLINK = "symbolic link"
    HARDLINK = "hard link"
    SPECIAL = "device, fifo or socket"


@dataclass(frozen=True)
class ArchiveEntry:
    name: str  # as stored, "/"-separated (a nupkg's %-escapes decoded)
    kind: EntryKind
    mode: int  # permission bits the archive records, 0 when it records none
    link: str = ""  # a symbolic link's target, or the member a hard link repeats
    content: Callable[[], IO[bytes]] | None = None  # a file's bytes; read before asking for the next entry


def read_entries(archive: Path, fmt: PackageFormat) -> Generator[ArchiveEntry, None, None]:
    """Every entry of `archive` in order. Raises one of READ_ERRORS when it is not a readable `fmt` archive;
    a compressed tar is read to its very end, so a truncated or corrupt one fails here too."""
    if fmt in (PackageFormat.ZIP, PackageFormat.NUPKG):
        yield from _zip_entries(archive, nupkg=fmt is PackageFormat.NUPKG)
    else:
        yield from _tar_entries(archive, fmt)


def _zip_entries(archive: Path, *, nupkg: bool) -> Iterator[ArchiveEntry]:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            # The zip format says "/"; some Windows tools wrote "\", which on Linux would be part of a name.
            name = info.filename.replace("\\", "/")
            if nupkg:
                # NuGet stores names %-escaped (Open Packaging Conventions) and unescapes them on extraction.
                name = unquote(name)
                if is_nuget_metadata(name):
                    continue
            unix_mode = info.external_attr >> 16 if info.create_system == 3 else 0
            kind = _zip_kind(info, unix_mode)
            link = ""
            if kind is EntryKind.SYMLINK:
                with zf.open(info) as target:
                    link = target.read(MAX_LINK_TARGET + 1).decode("utf-8", "surrogateescape")
            yield ArchiveEntry(
                name=name,
                kind=kind,
                mode=stat.S_IMODE(unix_mode),
                link=link,
                content=partial(zf.open, info) if kind is EntryKind.FILE else None,
            )


def _zip_kind(info: zipfile.ZipInfo, unix_mode: int) -> EntryKind:
    file_type = stat.S_IFMT(unix_mode)
    if info.is_dir() or file_type == stat.S_IFDIR:
        return EntryKind.DIRECTORY
    if file_type == stat.S_IFLNK:
        return EntryKind.SYMLINK
    if file_type in (0, stat.S_IFREG):
        return EntryKind.FILE
    return EntryKind.SPECIAL


def _tar_entries(archive: Path, fmt: PackageFormat) -> Iterator[ArchiveEntry]:
    with ExitStack() as stack:
        raw = stack.enter_context(io.BufferedReader(io.FileIO(archive), buffer_size=CHUNK))
        stream: io.BufferedIOBase = raw
        if fmt is PackageFormat.TAR_GZ:
            stream = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
        elif fmt is PackageFormat.TAR_BZ2:
            stream = stack.enter_context(bz2.BZ2File(raw))
        # Members are read in order and links are made here, never by tarfile, so it only ever seeks forward
        # and a compressed stream is never rewound. (Its stream mode "r|" is slower: it copies its buffer for
        # every 512-byte header.)
        tf = stack.enter_context(tarfile.open(fileobj=stream, mode="r:"))
        for member in tf:
            yield ArchiveEntry(
                name=member.name,
                kind=_tar_kind(member),
                mode=stat.S_IMODE(member.mode),
                link=member.linkname,
                content=partial(_member_content, tf, member) if member.isreg() else None,
            )
        # tar stops at its end-of-archive blocks; reading on to the end makes gzip and bzip2 check their
        # trailer, which is how a compressed tar cut short after its last whole member is noticed.
        while stream.read(CHUNK):
            pass


def _member_content(tf: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    content = tf.extractfile(member)
    assert content is not None  # a regular member always has content
    return content


def _tar_kind(member: tarfile.TarInfo) -> EntryKind:
    if member.isreg():
        return EntryKind.FILE
    if member.isdir():
        return EntryKind.DIRECTORY
    if member.issym():
        return EntryKind.SYMLINK
    if member.islnk():
        return EntryKind.HARDLINK
    return EntryKind.SPECIAL
