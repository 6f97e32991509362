"""`run_on: targets`: a script step runs on every matching target over real SSH (one real sshd serving several
targets), each target's lines marked, outputs indexed by target; at most `max_parallelism` run at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures.step_logs import RecordedLog

from seaway.domain.process import Step, StepType
from seaway.domain.targets import Account, AccountType, DeploymentTarget, SshEndpoint
from seaway.engine.variables import StepRenderer
from seaway.steps.base import Failed, StepContext, Succeeded
from seaway.steps.on_targets import Machine, on_targets
from seaway.steps.script import make_script_step
from seaway.targets.base import Command, CommandResult, LineSink
from seaway.targets.local import LocalTarget
from seaway.targets.ssh import SshTarget

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class ListedMachines:
    """The simplest `Machines`: a fixed list, filtered as the engine's is (environment and any role)."""

    def __init__(self, machines: Sequence[Machine]) -> None:
        self.machines = list(machines)
        self.released: list[str] = []

    async def matching(self, environment: str, roles: Sequence[str]) -> list[Machine]:
        return sorted(
            (m for m in self.machines if environment in m.target.environments and set(roles) & set(m.target.roles)),
            key=lambda m: m.target.name,
        )

    async def release(self, machines: Sequence[Machine]) -> None:
        self.released += [m.target.name for m in machines]


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


def ssh_machine(sshd, name: str, number: int, roles=("web",)) -> Machine:
    account = Account("deploy", AccountType.SSH_KEY, sshd.username, sshd.private_key)
    target = DeploymentTarget(
        name, ("Test",), tuple(roles), SshEndpoint(sshd.host, sshd.port, "deploy", sshd.fingerprint), id=number
    )
    return Machine(target, SshTarget(target.endpoint, account))


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


class CountingTarget:
    """Runs commands here, counting how many run at once; each run waits until `release` is set or the
    limit of concurrent runs is reached, so the test sees the cap without timing anything."""

    active = 0
    most = 0

    def __init__(self, arrived: asyncio.Event, limit: int) -> None:
        self.local, self.arrived, self.limit = LocalTarget(), arrived, limit

    async def run(self, command: Command, *, on_line: LineSink, cancel: asyncio.Event) -> CommandResult:
        CountingTarget.active += 1
        CountingTarget.most = max(CountingTarget.most, CountingTarget.active)
        if CountingTarget.active >= self.limit:
            self.arrived.set()
        try:
            await self.arrived.wait()
            return await self.local.run(command, on_line=on_line, cancel=cancel)
        finally:
            CountingTarget.active -= 1


async def test_at_most_max_parallelism_targets_run_at_once(tmp_path):
    arrived = asyncio.Event()
    counting = CountingTarget(arrived, limit=2)
    endpoint = SshEndpoint("unused", 22)
    machines = ListedMachines(
        [Machine(DeploymentTarget(f"web-{n:02}", ("Test",), ("web",), endpoint, id=n), counting) for n in range(1, 6)]
    )

    outcome = await script_step_on(machines, limit=2)(context(tmp_path, "echo ok"))

    assert isinstance(outcome, Succeeded)
    assert CountingTarget.most == 2
