"""A release's package deployed by the engine on both databases: the file the release recorded, its
configuration set per environment, and what later steps learn of it."""

from __future__ import annotations

import json

from tests.fixtures.engine import apply_yaml, deploy, log_of, project_yaml, release_of, task_of
from tests.fixtures.feed import push_file
from tests.fixtures.package_files import zip_bytes

from seaway.domain.states import StepState, TaskState

STEPS = """\
      - name: Deploy
        type: deploy-package
        package: {id: Quotes}
        structured_variables: [appsettings.json]
      - name: Report
        type: script
        script: |
          echo "deployed #{Octopus.Action[Deploy].Package.PackageVersion}"
          echo "of #{Octopus.Release.Package[Deploy].PackageId}"
          echo "into #{Octopus.Action[Deploy].Output.Package.InstallationDirectoryPath}"
"""
VARIABLES = """\
      - {name: "App:Port", value: "9001", scope: {environment: [Dev]}}
      - {name: "App:Port", value: "9002", scope: {environment: [Test]}}
      - {name: "App:Environment", value: "#{Octopus.Environment.Name}"}
"""


async def push(services, name: str, files) -> None:
    await push_file(services, name, zip_bytes(files))


async def test_the_release_deploys_its_package_with_its_environment_configuration(services):
    settings = {"App": {"Port": 8080, "Environment": "none", "Debug": False}}
    await push(services, "Quotes.1.0.0.zip", {"appsettings.json": json.dumps(settings), "v": "1.0.0"})
    await apply_yaml(services, project_yaml("Site", STEPS, VARIABLES))
    release = await release_of(services, "Site")
    await push(services, "Quotes.1.1.0.zip", {"appsettings.json": json.dumps(settings), "v": "1.1.0"})

    deployment = await deploy(services, release, "Test")
    await services.worker.run_until_idle()

    task, steps = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS, task.error
    assert [s.state for s in steps] == [StepState.SUCCEEDED] * 2
    installed = services.settings.data_dir.resolve() / "applications" / "Test" / "Quotes" / "1.0.0"
    assert (installed / "v").read_text() == "1.0.0"  # the version the release took, not the newer push
    assert json.loads((installed / "appsettings.json").read_text()) == {
        "App": {"Port": 9002, "Environment": "Test", "Debug": False}
    }
    log = await log_of(services, deployment)
    assert "deployed 1.0.0\n" in log and "of Quotes\n" in log
    assert f"into {installed}" in log


async def test_a_package_gone_from_the_feed_fails_the_step_naming_it(services):
    await push(services, "Quotes.1.0.0.zip", {"v": "1"})
    await apply_yaml(services, project_yaml("Site", STEPS, VARIABLES))
    release = await release_of(services, "Site")
    reference = release.packages[0]
    services.package_files.remove(reference.sha256)

    deployment = await deploy(services, release, "Dev")
    await services.worker.run_until_idle()

    task, steps = await task_of(services, deployment)
    assert task.state is TaskState.FAILED
    assert steps[0].state is StepState.FAILED
    assert "Quotes 1.0.0" in (steps[0].error or "") and "built-in feed" in (steps[0].error or "")
