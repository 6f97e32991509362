"""A target's files for the package conventions, through nothing but a `RemoteTarget`'s run, upload and
download (so an SSH host and a polling agent behave alike).

The package goes up once per target into its cache, `<work dir>/packages/<sha256>.<format>`; a target whose
cache holds that hash gets nothing sent. Unpacking, listing, copying and the journal run there, in
`machine_helper.py` with `on_machine.py` beside it (the same code the server runs for its own deployments),
sent once per version of that code into `<work dir>/bin/<version>/`. What needs Seaway's own libraries
(Octostache substitution, structured variables) runs here: just the matching files come down, are changed
by the same functions as on the server, and go back up, each replacing its original in one rename.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import posixpath
import shlex
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from seaway.domain.packages import PackageFormat
from seaway.errors import InvalidInput, TargetError
from seaway.packages import machine_helper, on_machine
from seaway.packages.archives import ExtractLimits, inspect_archive
from seaway.packages.file_globs import check_pattern
from seaway.packages.install_directories import CopyResult, absolute_install_to
from seaway.packages.journal import JournalEntry
from seaway.packages.machine_files import Extracted
from seaway.packages.packaged_scripts import SCRIPT_SYNTAXES, Stage
from seaway.packages.structured_variables import StructuredReport, apply_structured_variables
from seaway.packages.substitution import FileRender, SubstitutionReport, substitute_in_files
from seaway.steps.base import StepLog
from seaway.steps.script import REMOTE_ENV
from seaway.targets.base import Command, RemoteTarget

R = TypeVar("R")
HELPER_SOURCES = tuple(Path(module.__file__ or "") for module in (on_machine, machine_helper))
HELPER_VERSION = hashlib.sha256(b"".join(path.read_bytes() for path in HELPER_SOURCES)).hexdigest()[:16]
# What the conventions need on a target besides /bin/bash; checked before anything is sent.
REQUIRED_TOOLS = ("tar", "python3")
_MARK = "##seaway-prepare "


class RemoteFiles:
    """One deployment's view of one target's files: `open` checks the target and makes its directories."""

    def __init__(
        self,
        target: RemoteTarget,
        work_dir: str,
        step_dir: str,
        local_dir: Path,
        log: StepLog,
        cancel: asyncio.Event,
        timeout: float,
        sha256: str,
    ) -> None:
        self.target, self.work_dir, self.step_dir, self.local_dir = target, work_dir, step_dir, local_dir
        self.log, self.cancel, self.timeout, self.sha256 = log, cancel, timeout, sha256
        self.applications = Path(work_dir) / "applications"
        self.helper = f"{work_dir}/bin/{HELPER_VERSION}/{HELPER_SOURCES[1].name}"
        self.has_helper = False
        self.cached: set[str] = set()  # the packages the target's cache is known to hold

    @classmethod
    async def open(
        cls,
        target: RemoteTarget,
        step_dir: Callable[[str], str],
        local_dir: Path,
        log: StepLog,
        cancel: asyncio.Event,
        timeout: float,
        sha256: str,
        fmt: PackageFormat,
    ) -> RemoteFiles:
        """The target's files, once it is known to have what the conventions need (one round trip), with the
        helper there and whether its cache already holds the package `sha256`."""
        work_dir = await target.work_dir()
        files = cls(target, work_dir, step_dir(work_dir), local_dir, log, cancel, timeout, sha256)
        await files._prepare(fmt)
        return files

    def cache_path(self, sha256: str, fmt: PackageFormat) -> str:
        return f"{self.work_dir}/packages/{sha256}.{fmt}"

    async def _prepare(self, fmt: PackageFormat) -> None:
        cached = self.cache_path(self.sha256, fmt)
        probe = "\n".join(
            [
                "umask 077",  # the step's directory holds variable files: the account's alone
                "mkdir -p -- "
                + " ".join(
                    shlex.quote(d) for d in (self.step_dir, posixpath.dirname(cached), posixpath.dirname(self.helper))
                )
                + " || exit 1",
                *(f'command -v {tool} >/dev/null 2>&1 || echo "{_MARK}missing {tool}"' for tool in REQUIRED_TOOLS),
                f'[ -f {shlex.quote(self.helper)} ] && echo "{_MARK}have helper"',
                f'[ -f {shlex.quote(cached)} ] && echo "{_MARK}have package"',
                "exit 0",
            ]
        )
        answers = await self._bash(probe)
        missing = [answer.removeprefix("missing ") for answer in answers if answer.startswith("missing ")]
        if missing:
            raise TargetError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing from PATH on the target "
                "(a deploy-package step needs bash, tar and python3 there)"
            )
        self.has_helper = "have helper" in answers
        if "have package" in answers:
            self.cached.add(cached)

    async def _bash(self, script: str) -> list[str]:
        """Run Seaway's own bash on the target; the lines it marked as answers."""
        answers: list[str] = []
        errors: list[str] = []

        async def on_line(level: str, line: str) -> None:
            if line.startswith(_MARK):
                answers.append(line.removeprefix(_MARK))
            else:
                errors.append(line)

        argv = ["/bin/bash", "--noprofile", "--norc", "-c", script]
        result = await self.target.run(
            Command(argv, REMOTE_ENV, Path(self.work_dir), self.timeout), on_line=on_line, cancel=self.cancel
        )
        if result.exit_code != 0 or result.timed_out or result.canceled:
            said = " ".join(errors[-3:]) or f"exit code {result.exit_code}"
            raise TargetError(f"the target could not prepare the deployment: {said}")
        return answers

    async def _send_helper(self) -> None:
        if self.has_helper:
            return
        directory = posixpath.dirname(self.helper)
        token = uuid.uuid4().hex[:8]
        moves = []
        for source in HELPER_SOURCES:  # on_machine.py first: the helper's presence means both are there
            partial = f"{directory}/.{source.name}.{token}.partial"
            await self.target.upload(source, partial)
            moves.append(f"mv -f -- {shlex.quote(partial)} {shlex.quote(f'{directory}/{source.name}')}")
        await self._bash(" && ".join(moves))
        self.has_helper = True

    async def call(self, op: str, *, finishing: bool = False, **args: Any) -> dict[str, Any]:
        """One operation of the helper on the target; its result, or its refusal as an error. One `finishing`
        the deployment (its journal entry) runs even once it is canceled, as it does on the server."""
        await self._send_helper()
        answer: dict[str, Any] | None = None
        other: list[str] = []

        async def on_line(level: str, line: str) -> None:
            nonlocal answer
            if line.startswith(machine_helper.ANSWER_PREFIX):
                answer = json.loads(line.removeprefix(machine_helper.ANSWER_PREFIX))
            else:
                other.append(line)

        request = json.dumps({"op": op, "args": args})
        command = Command(["python3", self.helper, request], REMOTE_ENV, Path(self.work_dir), self.timeout)
        cancel = asyncio.Event() if finishing else self.cancel
        result = await self.target.run(command, on_line=on_line, cancel=cancel)
        if result.canceled:
            raise TargetError("the deployment was canceled")
        if answer is None:
            said = " ".join(other[-3:]) or f"exit code {result.exit_code}"
            raise TargetError(f"the package helper on the target failed ({op}): {said}")
        if "error" in answer:
            if answer.get("invalid"):
                raise InvalidInput(str(answer["error"]))
            raise TargetError(str(answer["error"]))
        result_value: dict[str, Any] = answer["result"]
        return result_value

    async def extract(
        self, package_file: Path, fmt: PackageFormat, base: Path, name: str, limits: ExtractLimits
    ) -> Extracted:
        # Checked here first, with the server's own rules, so that a package to be refused is never sent.
        await asyncio.to_thread(inspect_archive, package_file, fmt, limits=limits, display_name=name)
        cached = await self._acquire(package_file, fmt, name)
        budget = min(limits.max_total_bytes, int(limits.max_ratio * package_file.stat().st_size))
        done = await self.call("extract", archive=cached, format=str(fmt), base=str(base), max_bytes=budget)
        return Extracted(Path(done["directory"]), int(done["count"]), Path(cached))

    async def _acquire(self, package_file: Path, fmt: PackageFormat, name: str) -> str:
        """The package in the target's cache, sent unless the cache is known to hold it already."""
        sha256 = self.sha256
        cached = self.cache_path(sha256, fmt)
        if cached in self.cached:
            await self.log.write(f"The target's package cache already holds {name} (SHA-256 {sha256}): nothing sent")
            return cached
        size = package_file.stat().st_size
        await self.log.write(f"Sending {name} ({size} bytes) to the target's package cache")
        partial = f"{posixpath.dirname(cached)}/.{sha256}.{uuid.uuid4().hex[:8]}.partial"
        await self.target.upload(package_file, partial)
        await self.call("adopt", partial=partial, cached=cached, sha256=sha256)
        self.cached.add(cached)
        return cached

    async def find_script(self, directory: Path, stage: Stage) -> tuple[Path, str] | None:
        candidates = {str(directory / f"{stage}{extension}"): syntax for extension, syntax in SCRIPT_SYNTAXES}
        found = (await self.call("first_file", paths=list(candidates)))["path"]
        if found is None:
            return None
        if found not in candidates:
            raise TargetError(f"the target answered {found!r}, which is none of the scripts asked about")
        return Path(found), candidates[found]

    async def substitute(self, root: Path, patterns: Sequence[str], render: FileRender) -> SubstitutionReport:
        return await self._edit_here(
            root, patterns, "substitute_in_files", lambda mirror: substitute_in_files(mirror, patterns, render)
        )

    async def structured(self, root: Path, patterns: Sequence[str], variables: Mapping[str, str]) -> StructuredReport:
        return await self._edit_here(
            root,
            patterns,
            "structured_variables",
            lambda mirror: apply_structured_variables(mirror, patterns, variables),
        )

    async def _edit_here(self, root: Path, patterns: Sequence[str], field: str, edit: Callable[[Path], R]) -> R:
        """`edit` applied to a copy of the files `patterns` match under the target's `root`: the copy holds
        just those, at the same relative paths, so the patterns match the same files in it; the files it
        changed go back."""
        cleaned = [check_pattern(pattern, field_name=field) for pattern in patterns]
        matched = [_relative(path) for path in (await self.call("match", root=str(root), patterns=cleaned))["files"]]
        self.local_dir.mkdir(parents=True, exist_ok=True)
        mirror = Path(tempfile.mkdtemp(dir=self.local_dir, prefix=".files-"))
        try:
            for relative in matched:
                await self.target.download(f"{root}/{relative}", mirror / relative)
            before = await asyncio.to_thread(_digests, mirror, matched)
            outcome = await asyncio.to_thread(edit, mirror)
            after = await asyncio.to_thread(_digests, mirror, matched)
            pairs = []
            token = uuid.uuid4().hex[:8]
            for relative in (r for r in matched if before[r] != after[r]):
                remote = f"{root}/{relative}"
                temporary = f"{posixpath.dirname(remote)}/.{posixpath.basename(remote)}.{token}.tmp"
                await self.target.upload(mirror / relative, temporary)
                pairs.append([temporary, remote])
            if pairs:
                await self.call("replace", pairs=pairs)
            return outcome
        finally:
            shutil.rmtree(mirror, ignore_errors=True)

    async def install(
        self, install_to: str, extracted: Path, *, purge: bool, exclusions: Sequence[str]
    ) -> tuple[Path, CopyResult]:
        target = absolute_install_to(install_to)
        cleaned = [check_pattern(pattern, field_name="purge_exclusions") for pattern in exclusions]
        done = await self.call("install", extracted=str(extracted), target=str(target), purge=purge, exclusions=cleaned)
        return target, CopyResult(int(done["files"]), int(done["purged"]))

    async def delete_scripts(self, directories: Sequence[Path]) -> None:
        paths = [
            str(directory / f"{stage}{extension}")
            for directory in dict.fromkeys(directories)
            for stage in Stage
            for extension, _ in SCRIPT_SYNTAXES
        ]
        await self.call("remove", paths=paths)

    async def record(self, entry: JournalEntry, *, keep: int | None) -> list[Path]:
        done = await self.call(
            "journal", finishing=True, applications=str(self.applications), entry=asdict(entry), keep=keep
        )
        return [Path(path) for path in done["removed"]]


def _relative(path: str) -> str:
    """A path the target named below a directory; written here under a local copy, so it must stay there."""
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or ".." in parts:
        raise TargetError(f"the target named {path!r} as a file below the installation directory")
    return path


def _digests(root: Path, relatives: Sequence[str]) -> dict[str, str]:
    return {relative: on_machine.sha256_of(root / relative) for relative in relatives}
