"""The files of the machine a package is deployed on, as the conventions use them: this server's own
(`LocalFiles`), or a target's, reached through its transport. The conventions are written once, against this
protocol, so a deployment follows the same steps wherever it lands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from seaway.domain.packages import PackageFormat
from seaway.packages.archives import ExtractLimits
from seaway.packages.install_directories import CopyResult, check_install_to, copy_to_install_dir, extract_package
from seaway.packages.journal import DeploymentJournal, JournalEntry
from seaway.packages.on_machine import free_directory
from seaway.packages.packaged_scripts import Stage, delete_scripts, find_script
from seaway.packages.structured_variables import StructuredReport, apply_structured_variables
from seaway.packages.substitution import FileRender, SubstitutionReport, substitute_in_files


@dataclass(frozen=True)
class Extracted:
    directory: Path
    files: int
    package_path: Path  # the package file on that machine


class MachineFiles(Protocol):
    applications: Path  # the root of the extraction directories, where the journal lives too

    async def extract(
        self, package_file: Path, fmt: PackageFormat, base: Path, name: str, limits: ExtractLimits
    ) -> Extracted:
        """Unpack into `base` (or `base_N` when that exists), refusing what `archives` refuses."""
        ...

    async def find_script(self, directory: Path, stage: Stage) -> tuple[Path, str] | None: ...

    async def substitute(self, root: Path, patterns: Sequence[str], render: FileRender) -> SubstitutionReport: ...

    async def structured(
        self, root: Path, patterns: Sequence[str], variables: Mapping[str, str]
    ) -> StructuredReport: ...

    async def install(
        self, install_to: str, extracted: Path, *, purge: bool, exclusions: Sequence[str]
    ) -> tuple[Path, CopyResult]:
        """Copy the installation to the custom directory (checked first); where it went, and what was done."""
        ...

    async def delete_scripts(self, directories: Sequence[Path]) -> None: ...

    async def record(self, entry: JournalEntry, *, keep: int | None) -> list[Path]:
        """Add to the machine's journal, applying retention when `keep` is given; the directories removed."""
        ...


class LocalFiles:
    """This server's files; the work runs in a thread so that the event loop stays free meanwhile."""

    def __init__(self, applications: Path) -> None:
        self.applications = applications

    async def extract(
        self, package_file: Path, fmt: PackageFormat, base: Path, name: str, limits: ExtractLimits
    ) -> Extracted:
        directory = free_directory(base)
        count = await asyncio.to_thread(extract_package, package_file, fmt, directory, self.applications, limits, name)
        return Extracted(directory, count, package_file)

    async def find_script(self, directory: Path, stage: Stage) -> tuple[Path, str] | None:
        return await asyncio.to_thread(find_script, directory, stage)

    async def substitute(self, root: Path, patterns: Sequence[str], render: FileRender) -> SubstitutionReport:
        return await asyncio.to_thread(substitute_in_files, root, patterns, render)

    async def structured(self, root: Path, patterns: Sequence[str], variables: Mapping[str, str]) -> StructuredReport:
        return await asyncio.to_thread(apply_structured_variables, root, patterns, variables)

    async def install(
        self, install_to: str, extracted: Path, *, purge: bool, exclusions: Sequence[str]
    ) -> tuple[Path, CopyResult]:
        target = check_install_to(install_to, extracted)
        copied = await asyncio.to_thread(copy_to_install_dir, extracted, target, purge=purge, exclusions=exclusions)
        return target, copied

    async def delete_scripts(self, directories: Sequence[Path]) -> None:
        for directory in dict.fromkeys(directories):
            await asyncio.to_thread(delete_scripts, directory)

    async def record(self, entry: JournalEntry, *, keep: int | None) -> list[Path]:
        return await asyncio.to_thread(DeploymentJournal(self.applications).record, entry, keep=keep)
