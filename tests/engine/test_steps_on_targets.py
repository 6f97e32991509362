"""A deployment whose script step runs on targets, end to end on both databases: targets and their account
applied from YAML, the step run over a real sshd on each target with the step's roles, per-target log lines
and indexed output variables a later step reads."""

from __future__ import annotations

import json

from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.domain.states import TaskState


def space(sshd) -> str:
    endpoint = (
        f"{{type: ssh, host: {sshd.host}, port: {sshd.port}, account: deploy, fingerprint: '{sshd.fingerprint}'}}"
    )
    return f"""
environments: [Test, Dev]
accounts:
  - {{name: deploy, type: ssh-key, username: {sshd.username}, private_key: {json.dumps(sshd.private_key)}}}
targets:
  - {{name: web-02, environments: [Test], roles: [web], endpoint: {endpoint}}}
  - {{name: web-01, environments: [Test], roles: [web, api], endpoint: {endpoint}}}
  - {{name: web-dev, environments: [Dev], roles: [web], endpoint: {endpoint}}}
  - {{name: web-off, environments: [Test], roles: [web], enabled: false, endpoint: {endpoint}}}
projects:
  - name: Site
    process:
      - name: Install
        type: script
        run_on: targets
        roles: [web]
        script: |
          echo "installing on #{{Octopus.Machine.Name}} for $HOME"
          set_octopusvariable "Host" "#{{Octopus.Machine.Name}}"
      - name: Report
        type: script
        script: |
          echo "first #{{Octopus.Action[Install].Output[web-01].Host}}, last #{{Octopus.Action[Install].Output.Host}}"
"""


async def test_a_step_on_targets_runs_on_each_enabled_target_of_the_environment_with_its_roles(services, sshd):
    await apply_yaml(services, space(sshd))
    release = await release_of(services, "Site")

    deployment = await deploy(services, release, "Test")
    await services.worker.run_until_idle()

    task, _ = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS, task.error
    log = await log_of(services, deployment)
    assert "Running on 2 target(s): web-01,web-02" in log
    assert f"[web-01] installing on web-01 for {sshd.home}" in log
    assert f"[web-02] installing on web-02 for {sshd.home}" in log
    assert "web-dev" not in log and "web-off" not in log
    assert "first web-01, last web-02" in log


async def test_no_target_in_the_environment_fails_the_step(services, sshd):
    text = space(sshd).replace("roles: [web]\n        script", "roles: [queue]\n        script")
    await apply_yaml(
        services,
        text.replace("web-dev, environments: [Dev], roles: [web]", "web-dev, environments: [Dev], roles: [queue]"),
    )
    release = await release_of(services, "Site")

    deployment = await deploy(services, release, "Test")
    await services.worker.run_until_idle()

    task, steps = await task_of(services, deployment)
    assert task.state is TaskState.FAILED
    assert steps[0].error == "no enabled target in Test has any of the roles queue"
