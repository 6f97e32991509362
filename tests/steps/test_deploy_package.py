"""The deploy-package step: the release's package fetched from its feed and deployed on this server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures.package_files import DirectorySource, build_package
from tests.fixtures.step_logs import RecordedLog

from seaway.domain.packages import PackageFormat, PackageReference
from seaway.domain.process import Step, StepType
from seaway.engine.variables import StepRenderer
from seaway.steps.base import Failed, StepContext, Succeeded
from seaway.steps.deploy_package import make_deploy_package_step
from seaway.targets.local import LocalTarget

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
FILES = {
    "appsettings.json": '{"App": {"Port": 80, "Environment": "none"}}',
    "config/app.conf": "listen #{App:Port}",
    "Deploy.sh": 'set_octopusvariable "Started" "on port $(get_octopusvariable App:Port)"\n',
}


def context(tmp_path: Path, properties: dict, package: PackageReference | None, **variables: str) -> StepContext:
    values = {"App:Port": "9090", "App:Environment": "Test", "Root": str(tmp_path / "srv"), **variables}
    log = RecordedLog()
    return StepContext(
        task_id=1,
        step_index=0,
        step=Step("Deploy", StepType.DEPLOY_PACKAGE, {"package": {"id": "RandomQuotes"}, **properties}),
        environment="Test",
        variables=values,
        render=StepRenderer(values, lambda message: None, NOW),
        log=log,
        workdir=tmp_path / "work",
        cancel=asyncio.Event(),
        now=lambda: NOW,
        package=package,
        project="Quotes",
    )


def reference(version: str = "1.0.1", fmt: PackageFormat = PackageFormat.ZIP) -> PackageReference:
    return PackageReference(step="Deploy", package_id="RandomQuotes", version=version, format=fmt)


def step_for(tmp_path: Path):
    source = DirectorySource(tmp_path / "feed")
    return source, make_deploy_package_step(source, LocalTarget(), tmp_path / "Applications", 60)


async def test_the_step_deploys_the_release_package_with_its_properties_substituted(tmp_path):
    source, step = step_for(tmp_path)
    build_package(tmp_path / "feed", "RandomQuotes", "1.0.1", FILES, PackageFormat.ZIP)
    properties = {
        "substitute_in_files": ["config/*.conf"],
        "structured_variables": ["#{SettingsFile}"],
        "install_to": "#{Root}/quotes",
    }
    ctx = context(tmp_path, properties, reference(), SettingsFile="appsettings.json")

    outcome = await step(ctx)

    assert isinstance(outcome, Succeeded), outcome
    install_dir = tmp_path / "srv" / "quotes"
    assert outcome.outputs["Package.InstallationDirectoryPath"] == str(install_dir)
    assert outcome.outputs["Octopus.Action.Package.PackageVersion"] == "1.0.1"
    assert outcome.outputs["Started"] == "on port 9090"
    assert (install_dir / "config" / "app.conf").read_text() == "listen 9090"
    assert '"Port": 9090' in (install_dir / "appsettings.json").read_text()
    assert (tmp_path / "Applications" / "Test" / "RandomQuotes" / "1.0.1").is_dir()
    assert source.fetched == [reference()]


async def test_a_release_without_a_package_for_the_step_fails_it(tmp_path):
    _, step = step_for(tmp_path)

    outcome = await step(context(tmp_path, {}, None))

    assert outcome == Failed("the release has no package for this step")


async def test_a_package_the_feed_cannot_give_fails_naming_the_feed_and_package(tmp_path):
    _, step = step_for(tmp_path)
    (tmp_path / "feed").mkdir()

    outcome = await step(context(tmp_path, {}, reference("2.0.0")))

    assert isinstance(outcome, Failed)
    assert outcome.error.startswith('cannot get package RandomQuotes 2.0.0 from feed "builtin"')


async def test_a_traversal_archive_fails_the_step_and_leaves_the_applications_directory_empty(tmp_path):
    _, step = step_for(tmp_path)
    build_package(tmp_path / "feed", "RandomQuotes", "1.0.1", {"../evil.sh": "rm -rf /"}, PackageFormat.TAR_GZ)
    applications = tmp_path / "Applications"
    applications.mkdir()

    outcome = await step(context(tmp_path, {}, reference(fmt=PackageFormat.TAR_GZ)))

    assert isinstance(outcome, Failed) and "package RandomQuotes.1.0.1.tar.gz could not be extracted" in outcome.error
    assert "evil.sh" in outcome.error
    assert list(applications.iterdir()) == []
    assert not (tmp_path / "evil.sh").exists()


async def test_a_failing_package_script_fails_the_step_with_the_outputs_so_far(tmp_path):
    _, step = step_for(tmp_path)
    build_package(tmp_path / "feed", "RandomQuotes", "1.0.1", {"Deploy.sh": "exit 4\n"}, PackageFormat.ZIP)

    outcome = await step(context(tmp_path, {"timeout": 20}, reference()))

    assert isinstance(outcome, Failed)
    assert outcome.error == "Deploy.sh: the script exited with code 4"
    assert outcome.outputs["Octopus.Action.Package.PackageId"] == "RandomQuotes"
