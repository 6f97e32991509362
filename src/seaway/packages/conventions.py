"""Deploy one package on one machine, convention by convention, in Octopus's order:

1. extract it to `<applications>/<Environment>/<PackageId>/<Version>` (`_1`, `_2` on a redeploy);
2. run its `PreDeploy` script;
3. substitute variables in the files the step names;
4. replace structured configuration variables (JSON, YAML, XML, properties);
5. copy it to the custom installation directory, if the step has one, purging that first if asked;
6. run its `Deploy`, then its `PostDeploy` script; after any failure past extraction, its `DeployFailed`;
7. record the installation in the machine's journal, which keeps the last N per project, environment
   and step.

The request is plain data, scripts run through a `ScriptRunner` and the file work through `MachineFiles`,
so that the same code runs wherever the package is deployed: on this server (in a thread, so the event
loop stays free meanwhile) or on a target.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from seaway.domain.packages import PackageFormat
from seaway.domain.templates import is_truthy
from seaway.errors import SeawayError
from seaway.packages.archives import ExtractLimits
from seaway.packages.install_directories import extraction_base
from seaway.packages.journal import JOURNAL_NAME, JournalEntry
from seaway.packages.machine_files import Extracted, LocalFiles, MachineFiles
from seaway.packages.packaged_scripts import ScriptRun, ScriptRunner, Stage
from seaway.packages.substitution import EvaluatedVariables, FileRenderer

INSTALLATION_DIRECTORY = "Octopus.Action.Package.InstallationDirectoryPath"
LEGACY_INSTALLATION_DIRECTORY = "Package.InstallationDirectoryPath"
DELETE_SCRIPTS = "OctopusDeleteScriptsOnCleanup"


class DeployLog(Protocol):
    async def write(self, message: str, level: str = "info") -> None: ...


@dataclass(frozen=True)
class PackageDeployment:
    """Everything the deployment of one package on one machine needs, as plain values."""

    package_file: Path
    format: PackageFormat
    package_id: str
    version: str
    environment: str
    project: str
    step: str
    applications: Path  # the root of the extraction directories, where the journal lives too
    variables: Mapping[str, str] = field(default_factory=dict)  # the step's variables, not yet evaluated
    substitute_in_files: tuple[str, ...] = ()
    ignore_substitution_errors: bool = False
    structured_variables: tuple[str, ...] = ()
    install_to: str | None = None
    purge_install_to: bool = False
    purge_exclusions: tuple[str, ...] = ()
    run_package_scripts: bool = True
    keep_installs: int = 5
    timeout: float = 3600.0  # for each script
    limits: ExtractLimits = field(default_factory=ExtractLimits)  # how much the package may unpack to
    machine: str = ""  # the target's name when deployed on a target: its journal entries are its own


@dataclass(frozen=True)
class DeployResult:
    outputs: Mapping[str, str]
    error: str | None = None  # None: the package is deployed


class _ConventionFailed(Exception):
    pass


async def deploy_package(
    request: PackageDeployment,
    *,
    scripts: ScriptRunner,
    log: DeployLog,
    cancel: asyncio.Event,
    now: datetime,
    files: MachineFiles | None = None,
) -> DeployResult:
    """Deploy `request`'s package on the machine whose `files` are given (by default this server's); `now`
    is when, for the journal and for templates' `NowDate`."""
    machine = files or LocalFiles(request.applications)
    name = f"{request.package_id}.{request.version}.{request.format}"  # the stored file is named by its hash
    try:
        base = extraction_base(request.applications, request.environment, request.package_id, request.version)
        await log.write(f"Extracting {request.package_id} {request.version} to {base}")
        extracted = await machine.extract(request.package_file, request.format, base, name, request.limits)
    except (SeawayError, OSError) as exc:
        return DeployResult({}, f"the package {name} could not be extracted: {_reason(exc)}")
    if extracted.directory != base:
        await log.write(f"{base} exists: extracted to {extracted.directory} instead")
    await log.write(f"Extracted {extracted.files} files")
    return await _Deployment(request, scripts, machine, log, cancel, now, extracted).run()


class _Deployment:
    """One package's conventions, from the moment it is extracted."""

    def __init__(
        self,
        request: PackageDeployment,
        scripts: ScriptRunner,
        files: MachineFiles,
        log: DeployLog,
        cancel: asyncio.Event,
        now: datetime,
        extracted: Extracted,
    ) -> None:
        self.request, self.scripts, self.files, self.log = request, scripts, files, log
        self.cancel, self.now = cancel, now
        self.extracted = self.current = extracted.directory
        self.outputs: dict[str, str] = {
            INSTALLATION_DIRECTORY: str(self.extracted),
            LEGACY_INSTALLATION_DIRECTORY: str(self.extracted),
            "Octopus.Action.Package.PackageId": request.package_id,
            "Octopus.Action.Package.PackageVersion": request.version,
            "Package.ExtractedFileCount": str(extracted.files),
        }
        facts = {
            **self.outputs,
            "OctopusOriginalPackageDirectoryPath": str(self.extracted),
            "Octopus.Tentacle.CurrentDeployment.PackageFilePath": str(extracted.package_path),
        }
        self.renderer = FileRenderer(
            {**request.variables, **facts}, now=now, ignore_errors=request.ignore_substitution_errors
        )

    async def run(self) -> DeployResult:
        try:
            await self._packaged_script(Stage.PRE_DEPLOY)
            await self._substitute_in_files()
            await self._structured_variables()
            await self._install_to()
            await self._packaged_script(Stage.DEPLOY)
            await self._packaged_script(Stage.POST_DEPLOY)
        except _ConventionFailed as failure:
            error = str(failure)
        else:
            await self.log.write(f"Deployed {self.request.package_id} {self.request.version} to {self.current}")
            await self._journal(succeeded=True)
            if is_truthy(self.renderer.value(DELETE_SCRIPTS) or "true"):
                await self._delete_scripts()
            return DeployResult(dict(self.outputs))
        if not self.cancel.is_set():
            await self._deploy_failed()
        await self._journal(succeeded=False)
        return DeployResult(dict(self.outputs), error)

    async def _packaged_script(self, stage: Stage) -> None:
        self._check_canceled()
        if not self.request.run_package_scripts:
            return
        error = await self._run_script(stage)
        if error is not None:
            raise _ConventionFailed(error)

    async def _run_script(self, stage: Stage) -> str | None:
        found = await self.files.find_script(self.current, stage)
        if found is None:
            return None
        script, syntax = found
        await self.log.write(f"Running {script.name}")
        variables = await asyncio.to_thread(self._script_variables)
        run = ScriptRun(stage, script, syntax, self.current, variables, self.request.timeout)
        result = await self.scripts(run, cancel=self.cancel)
        self.outputs.update(result.outputs)
        return None if result.error is None else f"{script.name}: {result.error}"

    def _script_variables(self) -> dict[str, str]:
        names = self.renderer.variables.names()
        values = {name: self.renderer.value(name) or "" for name in names}
        return {**values, **self.outputs}

    async def _substitute_in_files(self) -> None:
        self._check_canceled()
        patterns = self.request.substitute_in_files
        if not patterns:
            return
        await self.log.write(f"Substituting variables in {', '.join(patterns)}")
        try:
            report = await self.files.substitute(self.current, patterns, self.renderer)
        except (SeawayError, OSError) as exc:
            raise _ConventionFailed(f"substituting variables in files failed: {_reason(exc)}") from exc
        finally:
            for warning in self.renderer.take_warnings():
                await self.log.write(warning, "warning")
        await self._warn_unmatched(report.unmatched_patterns)
        for path in report.files:
            await self.log.write(f"Substituted variables in {path.as_posix()}")

    async def _structured_variables(self) -> None:
        self._check_canceled()
        patterns = self.request.structured_variables
        if not patterns:
            return
        await self.log.write(f"Replacing structured configuration variables in {', '.join(patterns)}")
        variables = EvaluatedVariables(self.renderer.variables.names(), self.renderer)
        try:
            report = await self.files.structured(self.current, patterns, variables)
        except (SeawayError, OSError) as exc:
            raise _ConventionFailed(f"structured configuration variables failed: {_reason(exc)}") from exc
        await self._warn_unmatched(report.unmatched_patterns)
        for warning in report.warnings:
            await self.log.write(warning, "warning")
        for change in report.changes:
            keys = ", ".join(change.keys) if change.keys else "no key matched a variable"
            await self.log.write(f"{change.file.as_posix()} ({change.format}): {keys}")

    async def _install_to(self) -> None:
        self._check_canceled()
        install_to = self.request.install_to
        if not install_to:
            return
        purge = self.request.purge_install_to
        kept = f", keeping {', '.join(self.request.purge_exclusions)}" if self.request.purge_exclusions else ""
        try:
            await self.log.write(f"Copying the package to {install_to}" + (f" (purged first{kept})" if purge else ""))
            target, copied = await self.files.install(
                install_to, self.extracted, purge=purge, exclusions=self.request.purge_exclusions
            )
        except (SeawayError, OSError) as exc:
            raise _ConventionFailed(f"copying to the installation directory failed: {_reason(exc)}") from exc
        await self.log.write(f"Copied {copied.files} files" + (f", removed {copied.purged} first" if purge else ""))
        self.current = target
        self.outputs[INSTALLATION_DIRECTORY] = self.outputs[LEGACY_INSTALLATION_DIRECTORY] = str(target)
        self.outputs["Package.CopiedFileCount"] = str(copied.files)

    async def _deploy_failed(self) -> None:
        if not self.request.run_package_scripts:
            return
        error = await self._run_script(Stage.DEPLOY_FAILED)
        if error is not None:
            await self.log.write(error, "error")

    async def _journal(self, *, succeeded: bool) -> None:
        request = self.request
        entry = JournalEntry(
            project=request.project,
            environment=request.environment,
            step=request.step,
            package_id=request.package_id,
            version=request.version,
            extracted_to=str(self.extracted),
            installed_to=str(self.current),
            when=self.now.isoformat(),
            succeeded=succeeded,
            machine=request.machine,
        )
        keep = request.keep_installs if succeeded else None
        try:
            removed = await self.files.record(entry, keep=keep)
        except (SeawayError, OSError, ValueError, TypeError) as exc:  # an unreadable journal must not fail a deployment
            path = self.files.applications / JOURNAL_NAME
            await self.log.write(f"The deployment journal {path} could not be updated: {_reason(exc)}", "warning")
            return
        for directory in removed:
            await self.log.write(f"Removed the older installation {directory}")

    async def _delete_scripts(self) -> None:
        try:
            await self.files.delete_scripts([self.extracted, self.current])
        except (SeawayError, OSError) as exc:  # the package is deployed; left-over scripts are worth a warning
            await self.log.write(f"The package's scripts could not be removed: {_reason(exc)}", "warning")

    async def _warn_unmatched(self, patterns: list[str]) -> None:
        for pattern in patterns:
            await self.log.write(f'No files match "{pattern}"', "warning")

    def _check_canceled(self) -> None:
        if self.cancel.is_set():
            raise _ConventionFailed("the deployment was canceled")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
