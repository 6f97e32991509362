"""The file work a package deployment does on the machine it deploys to, with nothing but Python's standard
library: the server calls it for its own deployments, and the same file goes to a target beside
`machine_helper.py`, which runs it there, so that the two never differ.

It must run on any Python 3.8 or later, so it keeps to what 3.8 has (annotations are never evaluated).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

JOURNAL_NAME = "DeploymentJournal.json"
_LOCK_NAME = ".DeploymentJournal.lock"
_CHUNK = 1024 * 1024
# NuGet's own files in a nupkg, which NuGet and Calamari do not unpack (NuGet's PackageHelper.IsPackageFile).
_NUGET_DIRECTORIES = ("_rels", "package")
_NUGET_ROOT_FILES = ("[content_types].xml", ".signature.p7s")


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, links resolved, is `root` or lies below it."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def glob_under(root: Path, pattern: str) -> list[Path]:
    """What `pattern` (checked relative, `**` spanning directories) matches under `root`, sorted; a link
    leading out of `root` is never among them."""
    return sorted(path for path in root.glob(pattern) if inside(path, root))


def match_files(root: Path, patterns: Sequence[str]) -> list[str]:
    """The files any of `patterns` matches, relative to `root`, each once, in pattern order."""
    found: list[str] = []
    for pattern in patterns:
        for path in glob_under(root, pattern):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and relative not in found:
                found.append(relative)
    return found


def free_directory(base: Path) -> Path:
    """`base`, or `base_1`, `base_2`, … beside it when that exists: a redeploy never writes over files that
    may be in use."""
    candidate, suffix = base, 0
    while candidate.exists():
        suffix += 1
        candidate = base.with_name(f"{base.name}_{suffix}")
    return candidate


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` by `data` through a file beside it, so a reader sees the old content or the new, never
    a part; the file keeps its permission bits."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temp_name).unlink()
        raise
    replace_keeping_mode(Path(temp_name), path)


def replace_keeping_mode(new: Path, path: Path) -> None:
    """Rename `new` over `path`, giving it `path`'s permission bits when `path` exists."""
    try:
        with contextlib.suppress(FileNotFoundError):
            new.chmod(path.stat().st_mode & 0o7777)
        new.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            new.unlink()
        raise


def is_nuget_metadata(name: str) -> bool:
    """A nupkg's own packaging files, which are not part of what it deploys."""
    parts = name.lower().strip("/").split("/")
    if parts[0] in _NUGET_DIRECTORIES or parts[-1].endswith(".psmdcp"):
        return True
    return len(parts) == 1 and (parts[0] in _NUGET_ROOT_FILES or parts[0].endswith(".nuspec"))


# --- the installation directory ------------------------------------------------------------------------


def overlap_problem(target: Path, extracted: Path) -> str | None:
    """Why `target` cannot be a custom installation directory for `extracted`, or None: a purge would
    delete the package it is about to copy, or the journal."""
    if inside(target, extracted) or inside(extracted, target):
        return f"install_to ({target}) must not be inside the extraction directory or contain it ({extracted})"
    return None


def copy_tree(extracted: Path, target: Path, *, purge: bool, exclusions: Sequence[str]) -> tuple[int, int]:
    """Copy the installation into `target`, emptied first (except what `exclusions` match) when `purge`:
    (files copied, entries purged)."""
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
    return files, purged


def _purge(target: Path, exclusions: Sequence[str]) -> int:
    """Empty `target` except the paths the exclusion patterns match (a matched directory is kept whole; the
    directories leading to a kept path stay, emptied of the rest)."""
    kept = {path for pattern in exclusions for path in glob_under(target, pattern)}
    holds_kept = {parent for path in kept for parent in path.parents}
    return sum(_remove_unless_kept(entry, kept, holds_kept) for entry in sorted(target.iterdir()))


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


# --- the deployment journal ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalEntry:
    project: str
    environment: str
    step: str
    package_id: str
    version: str
    extracted_to: str
    installed_to: str
    when: str  # ISO 8601
    succeeded: bool
    machine: str = ""  # the target, when several share one machine; empty on the server

    def same_slot(self, other: JournalEntry) -> bool:
        """The same project, environment, step and target (names ignore case, as everywhere in Seaway)."""
        return self._slot() == other._slot()

    def _slot(self) -> tuple[str, ...]:
        return tuple(s.lower() for s in (self.project, self.environment, self.step, self.machine))


class DeploymentJournal:
    """Which package version was installed where on this machine, and whether it worked; it drives the
    retention of the installations."""

    def __init__(self, applications: Path) -> None:
        self.applications = applications
        self.path = applications / JOURNAL_NAME

    def entries(self) -> list[JournalEntry]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return [JournalEntry(**entry) for entry in raw.get("installations", [])]

    def record(self, entry: JournalEntry, *, keep: int | None = None) -> list[Path]:
        """Add `entry`; with `keep`, apply retention to its slot. Returns the directories removed."""
        with self._locked():
            entries = [*self.entries(), entry]
            removed: list[Path] = []
            if keep is not None:
                entries, removed = _retain(entries, entry, keep, self.applications)
            document = {"installations": [asdict(e) for e in entries]}
            write_atomically(self.path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
        return removed

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Two deployments on one machine must not both read the journal, then each write back its own copy.
        self.applications.mkdir(parents=True, exist_ok=True)
        with (self.applications / _LOCK_NAME).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _retain(
    entries: list[JournalEntry], current: JournalEntry, keep: int, applications: Path
) -> tuple[list[JournalEntry], list[Path]]:
    """Keep the last `keep` successful installations of the current one's slot (the current one among them)
    and whatever came after the oldest of those; forget the rest and remove their extraction directories."""
    keep = max(keep, 1)  # the installation just made is always kept
    slot = [i for i, e in enumerate(entries) if e.same_slot(current)]
    successes = [i for i in slot if entries[i].succeeded]
    if len(successes) <= keep:
        return entries, []
    oldest_kept = successes[-keep]
    dropped = {i for i in slot if i < oldest_kept}
    kept = [e for i, e in enumerate(entries) if i not in dropped]
    in_use = {e.extracted_to for e in kept} | {e.installed_to for e in kept}
    removed: list[Path] = []
    for i in sorted(dropped):
        directory = Path(entries[i].extracted_to)
        if entries[i].extracted_to in in_use or not inside(directory, applications):
            continue
        if os.path.realpath(directory) == os.path.realpath(applications) or not directory.is_dir():
            continue
        shutil.rmtree(directory, ignore_errors=True)
        removed.append(directory)
    return kept, removed
