"""A release's package deployed on targets by the engine, end to end on both databases: targets and their
account applied from YAML, the package pushed to the built-in feed, sent to each target over a real sshd
and deployed there with its environment's configuration; a later step reads each target's installation
directory; a second deployment sends nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.engine import apply_yaml, deploy, log_of, project_yaml, release_of, task_of
from tests.fixtures.feed import push_file
from tests.fixtures.package_files import zip_bytes

from seaway.domain.states import StepState, TaskState

STEPS = """\
      - name: Deploy
        type: deploy-package
        run_on: targets
        roles: [web]
        package: {id: Quotes}
        structured_variables: [appsettings.json]
        substitute_in_files: [motd.txt]
      - name: Report
        type: script
        script: |
          echo "web-01 got #{Octopus.Action[Deploy].Output[web-01].Package.InstallationDirectoryPath}"
          echo "web-02 got #{Octopus.Action[Deploy].Output[web-02].Package.InstallationDirectoryPath}"
"""
VARIABLES = """\
      - {name: "App:Port", value: "9001", scope: {environment: [Dev]}}
      - {name: "App:Port", value: "9002", scope: {environment: [Test]}}
"""


def space(sshd) -> str:
    endpoint = (
        f"{{type: ssh, host: {sshd.host}, port: {sshd.port}, account: deploy, fingerprint: '{sshd.fingerprint}'}}"
    )
    targets = f"""
accounts:
  - {{name: deploy, type: ssh-key, username: {sshd.username}, private_key: {json.dumps(sshd.private_key)}}}
targets:
  - {{name: web-02, environments: [Test], roles: [web], endpoint: {endpoint}}}
  - {{name: web-01, environments: [Test], roles: [web], endpoint: {endpoint}}}
"""
    return project_yaml("Site", STEPS, VARIABLES) + targets


async def test_the_release_package_is_deployed_on_every_target_and_sent_only_once(services, sshd):
    files = {
        "appsettings.json": json.dumps({"App": {"Port": 8080}}),
        "motd.txt": "Welcome to #{Octopus.Machine.Name} in #{Octopus.Environment.Name}",
        "Deploy.sh": 'echo "Deploy.sh ran as $(id -u)" > "$HOME/deployed-$(get_octopusvariable Octopus.Machine.Name)"',
    }
    await push_file(services, "Quotes.1.0.0.zip", zip_bytes(files))
    await apply_yaml(services, space(sshd))
    release = await release_of(services, "Site")

    deployment = await deploy(services, release, "Test")
    await services.worker.run_until_idle()

    task, steps = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS, task.error
    assert [s.state for s in steps] == [StepState.SUCCEEDED] * 2
    log = await log_of(services, deployment)
    applications = sshd.home / ".seaway" / "applications" / "Test" / "Quotes"
    for name in ("web-01", "web-02"):
        reported = next(line for line in log.splitlines() if line.startswith(f"{name} got "))
        installed = Path(reported.removeprefix(f"{name} got "))
        assert installed.parent == applications
        assert json.loads((installed / "appsettings.json").read_text()) == {"App": {"Port": 9002}}
        assert (installed / "motd.txt").read_text() == f"Welcome to {name} in Test"
        assert (sshd.home / f"deployed-{name}").read_text() == "Deploy.sh ran as 4242\n"
    assert not (services.settings.data_dir / "applications").exists()

    again = await deploy(services, release, "Test")
    await services.worker.run_until_idle()

    task, _ = await task_of(services, again)
    assert task.state is TaskState.SUCCESS, task.error
    log = await log_of(services, again)
    assert "Sending" not in log
    assert log.count("The target's package cache already holds Quotes.1.0.0.zip") == 2
