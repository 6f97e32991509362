"""A release's package deployed through a real polling agent: sent once into the agent's package cache,
extracted and configured in its own directory, its Deploy.sh run there; a second deployment sends nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fixtures.agents import agent_seaway, register, running_agent
from tests.fixtures.engine import apply_yaml, deploy, log_of, project_yaml, release_of, task_of
from tests.fixtures.feed import push_file
from tests.fixtures.package_files import zip_bytes

from seaway.domain.states import TaskState

pytestmark = pytest.mark.slow

STEPS = """\
      - name: Deploy
        type: deploy-package
        run_on: targets
        roles: [web]
        package: {id: Quotes}
        structured_variables: [appsettings.json]
      - name: Report
        type: script
        script: |
          echo "installed in #{Octopus.Action[Deploy].Output[web-01].Package.InstallationDirectoryPath}"
"""
VARIABLES = """\
      - {name: "App:Port", value: "9002", scope: {environment: [Test]}}
"""
TARGETS = """
targets:
  - {name: web-01, environments: [Test], roles: [web], endpoint: {type: agent}}
"""


async def test_a_package_step_on_an_agent_deploys_there_and_sends_the_package_once(db_url, tmp_path):
    files = {
        "appsettings.json": json.dumps({"App": {"Port": 8080}}),
        "Deploy.sh": (
            'echo "deployed $(get_octopusvariable Octopus.Machine.Name)'
            ' in $(get_octopusvariable Octopus.Tentacle.Agent.ApplicationDirectoryPath)" > deployed.txt'
        ),
    }
    async with agent_seaway(db_url, tmp_path / "data") as seaway:
        await push_file(seaway.services, "Quotes.1.0.0.zip", zip_bytes(files))
        await apply_yaml(seaway.services, project_yaml("Site", STEPS, VARIABLES) + TARGETS)
        registered = await register(seaway, tmp_path / "agent", "web-01")
        assert registered.returncode == 0, registered.stderr
        release = await release_of(seaway.services, "Site")
        async with running_agent(tmp_path / "agent", seaway.env()):
            first = await deploy(seaway.services, release, "Test")
            await seaway.services.worker.run_until_idle()
            second = await deploy(seaway.services, release, "Test")
            await seaway.services.worker.run_until_idle()

        for deployment in (first, second):
            task, _ = await task_of(seaway.services, deployment)
            assert task.state is TaskState.SUCCESS, task.error
        log = await log_of(seaway.services, first)
        reported = next(line for line in log.splitlines() if line.startswith("installed in "))
        installed = Path(reported.removeprefix("installed in "))
        assert installed.is_relative_to((tmp_path / "agent").resolve())
        assert json.loads((installed / "appsettings.json").read_text()) == {"App": {"Port": 9002}}
        # Deploy.sh ran there, and was told the applications directory there
        assert (installed / "deployed.txt").read_text() == f"deployed web-01 in {installed.parents[2]}\n"
        assert "Sending" in log
        again = await log_of(seaway.services, second)
        assert "Sending" not in again
        assert "The target's package cache already holds Quotes.1.0.0.zip" in again
