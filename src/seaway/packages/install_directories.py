"""Where a package is put on a machine: its extraction directory, and an optional custom installation
directory it is copied into."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from seaway.domain.packages import PackageFormat
from seaway.errors import InvalidInput
from seaway.packages.archives import ExtractLimits, extract_archive
from seaway.packages.file_globs import match_paths


def path_segment(name: str) -> str:
    """`name` as one directory name: what a file system cannot hold or would read as a path is removed."""
    cleaned = "".join(c for c in name if c not in "/\\" and c.isprintable()).strip()
    if cleaned in ("", ".", ".."):
        raise InvalidInput(f'"{name}" cannot name a directory', field="package")
    return cleaned


def extraction_directory(applications: Path, environment: str, package_id: str, version: str) -> Path:
    """`<applications>/<Environment>/<PackageId>/<Version>`; a redeploy of the same version gets `_1`, `_2`, …
    beside it rather than overwriting files that may be in use."""
    base = applications / path_segment(environment) / path_segment(package_id) / path_segment(version)
    candidate, suffix = base, 0
    while candidate.exists():
        suffix += 1
        candidate = base.with_name(f"{base.name}_{suffix}")
    return candidate


def extract_package(
    archive: Path, fmt: PackageFormat, destination: Path, applications: Path, limits: ExtractLimits, name: str
) -> int:
    """Extract into `destination` and return the number of files; if the archive is refused, the directories
    made for it are removed again, so that nothing of it is left under `applications`."""
    made = [p for p in (destination.parent, destination.parent.parent) if not p.exists()]
    try:
        return extract_archive(archive, destination, fmt, limits=limits, display_name=name)
    except BaseException:
        for directory in made:  # innermost first; only while empty, in case another deployment uses them
            if directory.is_dir() and directory.resolve().is_relative_to(applications.resolve()):
                try:
                    directory.rmdir()
                except OSError:
                    break
        raise


@dataclass(frozen=True)
class CopyResult:
    files: int
    purged: int  # entries removed from the directory before the copy


def check_install_to(install_to: str, extracted: Path) -> Path:
    """A custom installation directory must be absolute and must neither lie inside the extraction directory
    nor hold it (a purge would then delete the package it is about to copy, or the journal)."""
    if not install_to.startswith("/"):
        raise InvalidInput(f'install_to must be an absolute path, not "{install_to}"', field="install_to")
    target = Path(os.path.normpath(install_to))
    extracted_real = extracted.resolve()
    target_real = target.resolve()
    if target_real.is_relative_to(extracted_real) or extracted_real.is_relative_to(target_real):
        raise InvalidInput(
            f"install_to ({target}) must not be inside the extraction directory or contain it ({extracted})",
            field="install_to",
        )
    return target


def copy_to_install_dir(extracted: Path, target: Path, *, purge: bool, exclusions: Sequence[str]) -> CopyResult:
    target.mkdir(parents=True, exist_ok=True)
    purged = _purge(target, exclusions) if purge else 0
    files = 0
    for directory, subdirectories, names in os.walk(extracted):
        relative = Path(directory).relative_to(extracted)
        (target / relative).mkdir(parents=True, exist_ok=True)
        links = [name for name in subdirectories if (Path(directory) / name).is_symlink()]  # os.walk skips them
        for name in [*names, *links]:
            source = Path(directory) / name
            destination = target / relative / name
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            elif destination.exists() or destination.is_symlink():
                destination.unlink()
            shutil.copy2(source, destination, follow_symlinks=False)
            files += 1
    return CopyResult(files, purged)


def _purge(target: Path, exclusions: Sequence[str]) -> int:
    """Empty `target` except the paths the exclusion patterns match (a matched directory is kept whole; the
    directories leading to a kept path stay, emptied of the rest)."""
    kept: set[Path] = set()
    for pattern in exclusions:
        kept.update(match_paths(target, pattern, field_name="purge_exclusions"))
    holds_kept = {parent for path in kept for parent in path.parents}
    removed = 0
    for entry in sorted(target.iterdir()):
        removed += _remove_unless_kept(entry, kept, holds_kept)
    return removed


def _remove_unless_kept(path: Path, kept: set[Path], holds_kept: set[Path]) -> int:
    if path in kept:
        return 0
    if path in holds_kept and path.is_dir() and not path.is_symlink():
        return sum(_remove_unless_kept(child, kept, holds_kept) for child in sorted(path.iterdir()))
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    return 1
