"""The deploy-package step: the release's package fetched from its feed, then deployed by the package
conventions (extract, scripts, substitution, structured variables, custom directory, journal) on this
server, or on a target (`remote_files`: the package sent once into the target's cache, the conventions run
on the target's files).

Later steps read where it went as `#{Octopus.Action[<step>].Output.Package.InstallationDirectoryPath}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seaway.domain.packages import PackageReference
from seaway.domain.system_variables import APPLICATIONS_DIRECTORY
from seaway.errors import SeawayError
from seaway.packages.archives import ExtractLimits
from seaway.packages.conventions import PackageDeployment, deploy_package
from seaway.packages.machine_files import LocalFiles, MachineFiles
from seaway.packages.on_machine import sha256_of
from seaway.packages.packaged_scripts import ScriptRunner
from seaway.packages.sources import PackageSource
from seaway.steps.base import Failed, Render, StepContext, StepExecutor, StepOutcome, Succeeded
from seaway.steps.on_targets import Machines, on_targets
from seaway.steps.packaged_scripts import RemoteScriptRunner, TargetScriptRunner
from seaway.steps.remote_files import RemoteFiles
from seaway.steps.script import remote_step_dir
from seaway.targets.base import RemoteTarget, Target
from seaway.targets.local import LocalTarget

DEFAULT_KEEP_INSTALLS = 5


def make_deploy_package_step(
    source: PackageSource,
    target: Target,
    applications_dir: Path,
    default_timeout: float,
    limits: ExtractLimits | None = None,
) -> StepExecutor:
    unpack_limits = limits or ExtractLimits()

    async def deploy(ctx: StepContext) -> StepOutcome:
        reference = ctx.package
        if reference is None:
            return Failed("the release has no package for this step")
        try:
            package_file = await source.fetch(reference)
        except SeawayError as exc:
            return Failed(_unavailable(reference, exc))
        timeout = float(ctx.step.prop("timeout") or default_timeout)
        files: MachineFiles = LocalFiles(applications_dir)
        scripts: ScriptRunner = TargetScriptRunner(target, ctx.workdir, ctx.log)
        variables = ctx.variables
        if isinstance(target, RemoteTarget):
            try:
                sha256 = reference.sha256 or await asyncio.to_thread(sha256_of, package_file)
                remote = await RemoteFiles.open(
                    target,
                    lambda work_dir: remote_step_dir(work_dir, ctx),
                    ctx.workdir,
                    ctx.log,
                    ctx.cancel,
                    timeout,
                    sha256,
                    reference.format,
                )
            except SeawayError as exc:
                return Failed(f"cannot deploy {reference.package_id} {reference.version} there: {exc}")
            files, scripts = remote, RemoteScriptRunner(target, remote.step_dir, ctx.workdir, ctx.log)
            # Scripts there keep their state beside the installations there, not in the server's directory.
            variables = {**variables, APPLICATIONS_DIRECTORY: str(files.applications)}
        request = PackageDeployment(
            package_file=package_file,
            format=reference.format,
            package_id=reference.package_id,
            version=reference.version,
            environment=ctx.environment,
            project=ctx.project,
            step=ctx.step.name,
            applications=files.applications,
            variables=variables,
            substitute_in_files=_patterns(ctx.render, ctx.step.prop("substitute_in_files"), "substitute_in_files"),
            ignore_substitution_errors=ctx.step.flag("ignore_substitution_errors"),
            structured_variables=_patterns(ctx.render, ctx.step.prop("structured_variables"), "structured_variables"),
            install_to=_rendered(ctx.render, ctx.step.prop("install_to"), "install_to"),
            purge_install_to=ctx.step.flag("purge_install_to"),
            purge_exclusions=_patterns(ctx.render, ctx.step.prop("purge_exclusions"), "purge_exclusions"),
            run_package_scripts=ctx.step.flag("run_package_scripts", default=True),
            keep_installs=int(ctx.step.prop("keep_installs") or DEFAULT_KEEP_INSTALLS),
            timeout=timeout,
            limits=unpack_limits,
            machine=ctx.machine or "",
        )
        result = await deploy_package(
            request, scripts=scripts, log=ctx.log, cancel=ctx.cancel, now=ctx.now(), files=files
        )
        if result.error is not None:
            return Failed(result.error, result.outputs)
        return Succeeded(result.outputs)

    return deploy


def make_deploy_package_steps(
    source: PackageSource,
    machines: Machines,
    applications_dir: Path,
    default_timeout: float,
    limits: ExtractLimits | None = None,
) -> StepExecutor:
    """The step wherever it runs: on this server, or (`run_on: targets`) on each of its targets, the package
    fetched from its feed once for all of them."""
    on_server = make_deploy_package_step(source, LocalTarget(), applications_dir, default_timeout, limits)

    async def deploy(ctx: StepContext) -> StepOutcome:
        reference = ctx.package
        if str(ctx.step.prop("run_on", "server")) != "targets" or reference is None:
            return await on_server(ctx)
        try:
            fetched = _Fetched(reference, await source.fetch(reference), source)
        except SeawayError as exc:
            return Failed(_unavailable(reference, exc))

        def on_machine(target: Target) -> StepExecutor:
            return make_deploy_package_step(fetched, target, applications_dir, default_timeout, limits)

        return await on_targets(on_server, on_machine, machines)(ctx)

    return deploy


class _Fetched:
    """The step's package, fetched once for all its targets."""

    def __init__(self, reference: PackageReference, path: Path, source: PackageSource) -> None:
        self.reference, self.path, self.source = reference, path, source

    async def fetch(self, reference: PackageReference) -> Path:
        return self.path if reference == self.reference else await self.source.fetch(reference)


def _unavailable(reference: PackageReference, exc: SeawayError) -> str:
    return f'cannot get package {reference.package_id} {reference.version} from feed "{reference.feed}": {exc}'


def _patterns(render: Render, value: Any, field: str) -> tuple[str, ...]:
    """The step's patterns with their variables substituted; one that becomes several lines is several
    patterns, as Octopus's newline-separated lists are."""
    items: Sequence[Any] = value or ()
    rendered = (render(str(item), f"{field}[{i}]") for i, item in enumerate(items))
    return tuple(line.strip() for text in rendered for line in text.splitlines() if line.strip())


def _rendered(render: Render, value: Any, field: str) -> str | None:
    if value is None:
        return None
    return render(str(value), field).strip() or None
