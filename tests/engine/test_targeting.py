"""Targeting end to end on both databases, over a real sshd serving several targets: target- and role-scoped
variables per target, a rolling step from YAML, a project's connectivity settings with a target on a closed
port, and bad input refused naming its path with nothing written."""

from __future__ import annotations

import json

import pytest
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of
from tests.fixtures.machines import closed_port

from seaway.domain.states import TaskState
from seaway.errors import InvalidInput


def space(sshd, project: str, *, down_port: int | None = None) -> str:
    def endpoint(port: int) -> str:
        return f"{{type: ssh, host: {sshd.host}, port: {port}, account: deploy, fingerprint: '{sshd.fingerprint}'}}"

    down = (
        f"  - {{name: web-03, environments: [Test], roles: [web], endpoint: {endpoint(down_port)}}}\n"
        if down_port
        else ""
    )
    return (
        "environments: [Test]\n"
        "accounts:\n"
        f"  - {{name: deploy, type: ssh-key, username: {sshd.username}, private_key: {json.dumps(sshd.private_key)}}}\n"
        "targets:\n"
        f"  - {{name: web-02, environments: [Test], roles: [web], endpoint: {endpoint(sshd.port)}}}\n"
        f"  - {{name: web-01, environments: [Test], roles: [web, api], endpoint: {endpoint(sshd.port)}}}\n"
        + down
        + "projects:\n"
        + project
    )


SCOPED = """  - name: Site
    variables:
      - {name: Color, value: grey}
      - {name: Color, value: blue, scope: {roles: [api]}}
      - {name: Color, value: green, scope: {targets: [web-02]}}
      - {name: Size, value: L, scope: {roles: [web]}}
      - {name: Size, value: S, scope: {targets: [web-01], environments: [Test]}}
    process:
      - name: Show
        type: script
        run_on: targets
        roles: [web]
        script: |
          echo "color #{Color} size #{Size}"
"""


async def deployed_log(services, sshd, project: str) -> str:
    """The log of a successful deployment of Site to Test in a space holding `project`."""
    await apply_yaml(services, space(sshd, project))
    deployment = await deploy(services, await release_of(services, "Site"), "Test")
    await services.worker.run_until_idle()
    task, _ = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS, task.error
    return await log_of(services, deployment)


async def test_each_target_sees_the_values_scoped_to_it_or_its_roles(services, sshd):
    log = await deployed_log(services, sshd, SCOPED)
    assert "[web-01] color blue size S" in log  # its role beats unscoped; its name beats its role
    assert "[web-02] color green size L" in log


ROLLING = """  - name: Site
    process:
      - name: Web
        rolling: {window: 1}
        roles: [web]
        steps:
          - name: Drain
            type: script
            script: |
              echo "draining #{Octopus.Machine.Name} in #{Octopus.Step.Name}/#{Octopus.Action.Name}"
          - name: Deploy
            type: script
            script: |
              set_octopusvariable "Done" "#{Octopus.Machine.Name}"
      - name: Report
        type: script
        script: |
          echo "first #{Octopus.Action[Web].Output[web-01].Deploy.Done}, last #{Octopus.Action[Web].Output.Done}"
"""


async def test_a_rolling_step_from_yaml_runs_its_children_on_one_target_after_another(services, sshd):
    log = await deployed_log(services, sshd, ROLLING)
    assert "[web-01] draining web-01 in Web/Drain" in log
    assert log.index("== Web on web-01 ==") < log.index("[web-01] -- Deploy") < log.index("== Web on web-02 ==")
    assert "first web-01, last web-02" in log


SKIPPING = """  - name: Site
    connectivity: {skip_unavailable: true}
    process:
      - name: Show
        type: script
        run_on: targets
        roles: [web]
        script: |
          echo "on #{Octopus.Machine.Name}"
      - name: Report
        type: script
        script: |
          echo "left out: #{Octopus.Deployment.ExcludedMachines}"
"""


async def test_an_unreachable_target_is_skipped_when_the_project_says_so_and_fails_the_deployment_otherwise(
    services, sshd
):
    port = closed_port()
    await apply_yaml(services, space(sshd, SKIPPING, down_port=port))
    deployment = await deploy(services, await release_of(services, "Site"), "Test")
    await services.worker.run_until_idle()

    task, _ = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS, task.error
    log = await log_of(services, deployment)
    assert "[web-01] on web-01" in log and "[web-02] on web-02" in log
    assert "Excluding web-03: it became unavailable (cannot reach" in log
    assert "left out: web-03" in log  # the steps after it know

    await apply_yaml(
        services, space(sshd, SKIPPING.replace("connectivity: {skip_unavailable: true}", ""), down_port=port)
    )
    failed = await deploy(services, await release_of(services, "Site", "0.0.2"), "Test")
    await services.worker.run_until_idle()

    task, steps = await task_of(services, failed)
    assert task.state is TaskState.FAILED
    assert steps[0].error is not None and steps[0].error.startswith("failed on 1 of 3 target(s): web-03: cannot reach")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("roles: [web]\n        script", "roles: [wbe]\n        script"), "projects[0].process[0].roles[0]"),
        (("rolling: {window: 1}", "rolling: {window: 0}"), "projects[0].process[0].rolling.window"),
        (
            ("rolling: {window: 1}\n        roles: [web]\n", "type: script\n        script: echo\n"),
            "projects[0].process[0].steps",
        ),
        (
            (
                "        steps:\n          - name: Drain\n",
                "        steps:\n          - name: Drain\n            roles: [web]\n",
            ),
            "projects[0].process[0].steps[0].roles",
        ),
    ],
)
async def test_bad_targeting_is_refused_naming_its_path_and_nothing_is_written(services, sshd, change, field):
    project = (SKIPPING if "roles: [wbe]" in change[1] else ROLLING).replace(*change)
    assert project != (SKIPPING if "roles: [wbe]" in change[1] else ROLLING)

    with pytest.raises(InvalidInput) as refused:
        await apply_yaml(services, space(sshd, project))

    assert refused.value.field == field
    async with services.store.reading() as uow:
        assert await uow.projects.list() == [] and await uow.targets.list() == []
