"""The deployment journal of one machine: which package version was installed where, and whether it worked.

It lives beside the installations (`<applications>/DeploymentJournal.json`, after Octopus's
`DeploymentJournal.xml`) and drives their retention: the last N successful installations of each project,
environment and step are kept; older extraction directories are removed. Only directories the journal knows
are ever removed, and never a custom installation directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from seaway.packages.text_files import write_atomically

JOURNAL_NAME = "DeploymentJournal.json"
_LOCK_NAME = ".DeploymentJournal.lock"


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

    def same_slot(self, other: JournalEntry) -> bool:
        """The same project, environment and step (names ignore case, as everywhere in Seaway)."""
        ours = (self.project.lower(), self.environment.lower(), self.step.lower())
        return ours == (other.project.lower(), other.environment.lower(), other.step.lower())


class DeploymentJournal:
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
            self._write(entries)
        return removed

    def _write(self, entries: list[JournalEntry]) -> None:
        document = {"installations": [asdict(e) for e in entries]}
        write_atomically(self.path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())

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
    root = applications.resolve()
    for i in sorted(dropped):
        directory = Path(entries[i].extracted_to)
        if entries[i].extracted_to in in_use or not directory.resolve().is_relative_to(root):
            continue
        if directory.resolve() == root or not directory.is_dir():
            continue
        shutil.rmtree(directory, ignore_errors=True)
        removed.append(directory)
    return kept, removed
