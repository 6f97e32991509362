"""Where a package is put on a machine: its extraction directory, and an optional custom installation
directory it is copied into."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from seaway.domain.packages import PackageFormat
from seaway.errors import InvalidInput
from seaway.packages.archives import ExtractLimits, extract_archive
from seaway.packages.file_globs import check_pattern
from seaway.packages.on_machine import copy_tree, free_directory, overlap_problem


def path_segment(name: str) -> str:
    """`name` as one directory name: what a file system cannot hold or would read as a path is removed."""
    cleaned = "".join(c for c in name if c not in "/\\" and c.isprintable()).strip()
    if cleaned in ("", ".", ".."):
        raise InvalidInput(f'"{name}" cannot name a directory', field="package")
    return cleaned


def extraction_directory(applications: Path, environment: str, package_id: str, version: str) -> Path:
    """`<applications>/<Environment>/<PackageId>/<Version>`; a redeploy of the same version gets `_1`, `_2`, …
    beside it rather than overwriting files that may be in use."""
    return free_directory(extraction_base(applications, environment, package_id, version))


def extraction_base(applications: Path, environment: str, package_id: str, version: str) -> Path:
    return applications / path_segment(environment) / path_segment(package_id) / path_segment(version)


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


def absolute_install_to(install_to: str) -> Path:
    """A custom installation directory must be an absolute path; it is returned normalised."""
    if not install_to.startswith("/"):
        raise InvalidInput(f'install_to must be an absolute path, not "{install_to}"', field="install_to")
    return Path(os.path.normpath(install_to))


def check_install_to(install_to: str, extracted: Path) -> Path:
    """A custom installation directory must be absolute and must neither lie inside the extraction directory
    nor hold it (a purge would then delete the package it is about to copy, or the journal)."""
    target = absolute_install_to(install_to)
    problem = overlap_problem(target, extracted)
    if problem:
        raise InvalidInput(problem, field="install_to")
    return target


def copy_to_install_dir(extracted: Path, target: Path, *, purge: bool, exclusions: Sequence[str]) -> CopyResult:
    patterns = [check_pattern(pattern, field_name="purge_exclusions") for pattern in exclusions]
    files, purged = copy_tree(extracted, target, purge=purge, exclusions=patterns)
    return CopyResult(files, purged)
