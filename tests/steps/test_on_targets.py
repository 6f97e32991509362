"""`run_on: targets`: a script step runs on every matching target over real SSH (one real sshd serving several
targets), each target's lines marked, outputs indexed by target; at most `max_parallelism` run at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures.machines import ListedMachines, Rendezvous, closed_port, counting_machines
from tests.fixtures.step_logs import RecordedLog

from seaway.domain.process import Step, StepType
from seaway.domain.targeting import Connectivity
from seaway.domain.targets import Account, AccountType, DeploymentTarget, HealthStatus, SshEndpoint
from seaway.engine.variables import StepRenderer
from seaway.steps.base import Failed, StepContext, Succeeded
from seaway.steps.on_targets import Machine, on_targets
from seaway.steps.script import make_script_step
from seaway.targets.local import LocalTarget
from seaway.targets.ssh import SshTarget

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def context(tmp_path: Path, script: str, roles: Sequence[str] = ("web",)) -> StepContext:
    values = {"Greeting": "hello"}
    step = Step("Say", StepType.SCRIPT, {"script": script, "run_on": "targets", "roles": list(roles)})
    return StepContext(
        task_id=7,
        step_index=0,
        step=step,
        environment="Test",
        variables=values,
        render=StepRenderer(values, lambda message: None, NOW),
        render_with=lambda extra: StepRenderer({**values, **extra}, lambda message: None, NOW),
        log=RecordedLog(),
        workdir=tmp_path / "work",
        cancel=asyncio.Event(),
        now=lambda: NOW,
    )


def ssh_machine(sshd, name: str, number: int, roles=("web",), *, port: int | None = None, **state) -> Machine:
    """A target on the test's sshd (or, with `port`, on that port of the same host), in `state` (health...)."""
    account = Account("deploy", AccountType.SSH_KEY, sshd.username, sshd.private_key)
    endpoint = SshEndpoint(sshd.host, port or sshd.port, "deploy", sshd.fingerprint)
    target = DeploymentTarget(name, ("Test",), tuple(roles), endpoint, id=number, **state)
    return Machine(target, SshTarget(target.endpoint, account, connect_timeout=5))


def script_step_on(machines: ListedMachines, limit: int = 10):
    return on_targets(
        make_script_step(LocalTarget(), 60), lambda t: make_script_step(t, 60), machines, max_parallelism=limit
    )


async def test_a_script_runs_on_each_matching_target_with_its_own_machine_variables(sshd, tmp_path):
    machines = ListedMachines(
        [ssh_machine(sshd, "web-02", 2), ssh_machine(sshd, "web-01", 1), ssh_machine(sshd, "db-01", 3, roles=("db",))]
    )
    script = (
        'echo "#{Greeting} from #{Octopus.Machine.Name} (#{Octopus.Machine.Roles}) in $PWD"\n'
        'set_octopusvariable "Where" "#{Octopus.Machine.Name}"'
    )
    ctx = context(tmp_path, script)

    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Succeeded), outcome
    lines = [message for _, message in ctx.log.lines]  # type: ignore[attr-defined]
    assert lines[0] == "Running on 2 target(s): web-01,web-02"
    for name in ("web-01", "web-02"):
        said = next(line for line in lines if line.startswith(f"[{name}] hello from"))
        assert f"hello from {name} (web) in {sshd.home}/.seaway/work/task-7/step-1/{name}" in said
    assert not any("db-01" in line for line in lines)
    assert outcome.outputs == {"[web-01].Where": "web-01", "[web-02].Where": "web-02", "Where": "web-02"}
    assert sorted(machines.released) == ["web-01", "web-02"]


async def test_a_failure_on_one_target_fails_the_step_naming_it(sshd, tmp_path):
    machines = ListedMachines([ssh_machine(sshd, "web-01", 1), ssh_machine(sshd, "web-02", 2)])
    ctx = context(tmp_path, '[ "#{Octopus.Machine.Name}" = web-02 ] && exit 4; echo fine')

    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Failed)
    assert outcome.error == "failed on 1 of 2 target(s): web-02: the script exited with code 4"


async def test_no_matching_target_fails_the_step(tmp_path):
    outcome = await script_step_on(ListedMachines([]))(context(tmp_path, "echo hi", roles=("web",)))
    assert isinstance(outcome, Failed) and outcome.error == "no enabled target in Test has any of the roles web"


async def test_at_most_max_parallelism_targets_run_at_once(tmp_path):
    rendezvous = Rendezvous(limit=2)
    machines = counting_machines(5, rendezvous)

    outcome = await script_step_on(machines, limit=2)(context(tmp_path, "echo ok"))

    assert isinstance(outcome, Succeeded)
    assert rendezvous.most == 2


async def test_a_step_s_max_parallelism_overrides_the_default(tmp_path):
    rendezvous = Rendezvous(limit=3)
    machines = counting_machines(6, rendezvous)
    ctx = context(tmp_path, "echo ok")
    ctx.step = replace(ctx.step, properties={**ctx.step.properties, "max_parallelism": 3})

    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Succeeded)
    assert rendezvous.most == 3


def lines_of(ctx: StepContext) -> list[str]:
    return [message for _, message in ctx.log.lines]  # type: ignore[attr-defined]


async def test_each_target_s_lines_come_under_a_heading_of_their_own(sshd, tmp_path):
    machines = ListedMachines([ssh_machine(sshd, "web-01", 1), ssh_machine(sshd, "web-02", 2)])
    ctx = context(tmp_path, "echo done")

    assert isinstance(await script_step_on(machines)(ctx), Succeeded)

    lines = lines_of(ctx)
    for name in ("web-01", "web-02"):
        heading = lines.index(f"== Say on {name} ==")
        assert lines.index(f"[{name}] done") > heading
    assert machines.locked == ["web-01", "web-02"]


async def test_an_unhealthy_target_fails_the_step_unless_the_project_excludes_unhealthy_targets(sshd, tmp_path):
    sick = {"health": HealthStatus.UNHEALTHY, "health_messages": ("the host key changed",)}
    machines = ListedMachines([ssh_machine(sshd, "web-01", 1), ssh_machine(sshd, "web-02", 2, **sick)])
    script = 'echo "left out: #{Octopus.Deployment.ExcludedMachines}"'

    refused = await script_step_on(machines)(context(tmp_path, script))

    assert isinstance(refused, Failed)
    assert refused.error.startswith("web-02: it was Unhealthy at its last health check (the host key changed)")
    assert "connectivity.exclude_unhealthy" in refused.error
    assert machines.locked == []  # nothing ran

    ctx = replace(context(tmp_path, script), connectivity=Connectivity(exclude_unhealthy=True))
    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Succeeded), outcome
    lines = lines_of(ctx)
    assert "Excluding web-02: it was Unhealthy at its last health check (the host key changed)" in lines
    assert "[web-01] left out: web-02" in lines
    assert machines.locked == ["web-01"]


async def test_an_unreachable_target_fails_the_step_unless_the_project_skips_unavailable_targets(sshd, tmp_path):
    machines = ListedMachines([ssh_machine(sshd, "web-01", 1), ssh_machine(sshd, "web-02", 2, port=closed_port())])

    failed = await script_step_on(machines)(context(tmp_path, "echo ok"))

    assert isinstance(failed, Failed)
    assert failed.error.startswith("failed on 1 of 2 target(s): web-02: cannot reach")

    ctx = replace(context(tmp_path, "echo ok"), connectivity=Connectivity(skip_unavailable=True))
    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Succeeded), outcome
    assert any(line.startswith("Excluding web-02: it became unavailable (cannot reach") for line in lines_of(ctx))
    assert "[web-01] ok" in lines_of(ctx)


async def test_a_target_last_found_unavailable_is_left_out_when_the_project_skips_unavailable_ones(sshd, tmp_path):
    away = {"health": HealthStatus.UNAVAILABLE}
    machines = ListedMachines([ssh_machine(sshd, "web-01", 1, **away), ssh_machine(sshd, "web-02", 2)])
    ctx = replace(context(tmp_path, "echo ok"), connectivity=Connectivity(skip_unavailable=True))

    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Succeeded)
    assert "Excluding web-01: it was Unavailable at its last health check" in lines_of(ctx)
    assert machines.locked == ["web-02"]


async def test_a_step_with_no_target_does_nothing_when_the_project_allows_deployments_to_no_targets(tmp_path):
    ctx = replace(context(tmp_path, "echo hi"), connectivity=Connectivity(allow_no_targets=True))

    outcome = await script_step_on(ListedMachines([]))(ctx)

    assert isinstance(outcome, Succeeded)
    assert lines_of(ctx) == [
        "no enabled target in Test has any of the roles web; the project allows deployments to no targets, "
        "so the step does nothing"
    ]


async def test_an_unavailable_target_whose_policy_says_it_may_be_offline_is_left_out(sshd, tmp_path):
    edge = replace(ssh_machine(sshd, "edge-01", 1, health=HealthStatus.UNAVAILABLE), may_be_offline=True)
    machines = ListedMachines([edge, ssh_machine(sshd, "web-01", 2)])
    ctx = context(tmp_path, "echo ok")  # the project itself does not skip unavailable targets

    outcome = await script_step_on(machines)(ctx)

    assert isinstance(outcome, Succeeded), outcome
    assert "Excluding edge-01: it was Unavailable at its last health check" in lines_of(ctx)
    assert machines.locked == ["web-01"]
