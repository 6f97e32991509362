"""Reading package archives: which format a file is, and extracting it safely."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from seaway.domain.packages import PackageFormat
from seaway.errors import InvalidInput


class ArchiveRejected(InvalidInput):
    """The archive is corrupt, or would write outside its directory, or unpacks to too much."""

    code = "archive_rejected"


@dataclass(frozen=True)
class ExtractLimits:
    max_total_bytes: int = 10 * 1024**3
    max_ratio: float = 200.0  # unpacked size over archive size
    max_entries: int = 200_000


def detect_format(file_name: str) -> PackageFormat | None:
    lower = file_name.lower()
    for suffix, fmt in (
        (".tar.gz", PackageFormat.TAR_GZ),
        (".tgz", PackageFormat.TAR_GZ),
        (".tar.bz2", PackageFormat.TAR_BZ2),
        (".tbz2", PackageFormat.TAR_BZ2),
        (".tar", PackageFormat.TAR),
        (".zip", PackageFormat.ZIP),
        (".nupkg", PackageFormat.NUPKG),
    ):
        if lower.endswith(suffix):
            return fmt
    return None


def extract_archive(
    archive: Path, destination: Path, fmt: PackageFormat, *, limits: ExtractLimits = ExtractLimits()
) -> int:
    """Unpack `archive` into `destination` (which must not exist yet) and return how many files it held.

    Nothing is left at `destination` when the archive is refused: it is unpacked beside it and moved in whole.
    """
    staging = destination.with_name(destination.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        if fmt in (PackageFormat.ZIP, PackageFormat.NUPKG):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(staging)  # noqa: S202  (checked entry by entry once hardened)
                count = sum(1 for i in zf.infolist() if not i.is_dir())
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(staging, filter="data")
                count = sum(1 for m in tf.getmembers() if m.isfile())
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ArchiveRejected(f"{archive.name} is not a readable {fmt} archive: {exc}", field="package") from exc
    staging.rename(destination)
    return count
