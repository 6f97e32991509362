"""Polling agents end to end: real `seaway agent` processes on loopback, a Seaway in process on both
databases, its agent listener on HTTPS with the certificate the agents pin."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.fixtures.agents import AgentSeaway, agent_seaway, cli, register, running_agent
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.domain.states import TaskState
from seaway.domain.targets import HealthStatus
from seaway.engine.target_checks import run_health_check
from seaway.errors import TargetError
from seaway.security.tls import new_self_signed, thumbprint_of
from seaway.targets.agent import AgentTarget
from seaway.targets.base import Command

SPACE = """
environments: [Test, Prod]
targets:  # declared here, registered by the tests' agents
  - {name: web-a, environments: [Test], roles: [web], endpoint: {type: agent}}
  - {name: web-b, environments: [Test], roles: [web], endpoint: {type: agent}}
projects:
  - name: Site
    process:
      - name: Install
        type: script
        run_on: targets
        roles: [web]
        script: |
          echo "installing on #{Octopus.Machine.Name} in $(basename "$PWD")"
          echo "to stderr" >&2
          set_octopusvariable "Where" "#{Octopus.Machine.Name}"
      - name: Report
        type: script
        script: |
          echo "web-b said #{Octopus.Action[Install].Output[web-b].Where}"
"""


@pytest.fixture
async def seaway(db_url, tmp_path):
    async with agent_seaway(db_url, tmp_path / "data") as running:
        await apply_yaml(running.services, SPACE)
        yield running


async def target(seaway: AgentSeaway, name: str):
    async with seaway.services.store.reading() as uow:
        return await uow.targets.get_by_name(name)


def transport(seaway: AgentSeaway, found) -> AgentTarget:
    assert seaway.services.agents is not None
    return AgentTarget(found, seaway.services.agents)


async def test_two_agents_register_and_run_a_step_on_targets_with_their_lines_streamed(seaway, tmp_path):
    for name in ("web-a", "web-b"):
        registered = await register(seaway, tmp_path / name, name)
        assert registered.returncode == 0, registered.stderr
        assert "pinned" in registered.stdout
    async with running_agent(tmp_path / "web-a", seaway.env()), running_agent(tmp_path / "web-b", seaway.env()):
        deployment = await deploy(seaway.services, await release_of(seaway.services, "Site"), "Test")
        await seaway.services.worker.run_until_idle()

    task, _ = await task_of(seaway.services, deployment)
    assert task.state is TaskState.SUCCESS, task.error
    log = await log_of(seaway.services, deployment)
    assert "[web-a] installing on web-a in web-a" in log and "[web-b] installing on web-b in web-b" in log
    assert "[web-a] to stderr" in log
    assert "web-b said web-b" in log
    found = await target(seaway, "web-a")
    assert found.style == "TentacleActive" and found.environments == ("Test",) and found.roles == ("web",)


async def test_files_go_up_and_come_back(seaway, tmp_path):
    assert (await register(seaway, tmp_path / "agent", "files-01")).returncode == 0
    source = tmp_path / "bundle"
    (source / "nested").mkdir(parents=True)
    (source / "nested" / "a.txt").write_text("alpha")
    async with running_agent(tmp_path / "agent", seaway.env()):
        machine = transport(seaway, await target(seaway, "files-01"))
        work = await machine.work_dir()
        assert work.startswith(str((tmp_path / "agent").resolve()))
        await machine.upload(source, f"{work}/up")
        await machine.download(f"{work}/up/nested/a.txt", tmp_path / "back" / "a.txt")
        with pytest.raises(TargetError, match="does not exist"):
            await machine.download(f"{work}/missing", tmp_path / "never")

    assert Path(work, "up", "nested", "a.txt").read_text() == "alpha"
    assert (tmp_path / "back" / "a.txt").read_text() == "alpha"


async def test_an_agent_killed_mid_script_and_restarted_runs_it_once_and_keeps_its_result(seaway, tmp_path):
    assert (await register(seaway, tmp_path / "agent", "once-01")).returncode == 0
    counter, gate = tmp_path / "runs.txt", tmp_path / "go"
    script = f"echo run >> {counter}; echo started; while [ ! -e {gate} ]; do sleep 0.05; done; echo finished; exit 3"
    command = Command(["/bin/bash", "-c", script], {"PATH": "/usr/bin:/bin"}, tmp_path, 60)
    lines: list[str] = []
    started = asyncio.Event()

    async def on_line(level: str, line: str) -> None:
        lines.append(line)
        if line == "started":
            started.set()

    machine = transport(seaway, await target(seaway, "once-01"))
    async with running_agent(tmp_path / "agent", seaway.env()) as agent:
        running = asyncio.create_task(machine.run(command, on_line=on_line, cancel=asyncio.Event()))
        await asyncio.wait_for(started.wait(), 30)
        await agent.kill()
        await agent.start()
        gate.touch()
        result = await asyncio.wait_for(running, 60)

    assert result.exit_code == 3
    assert counter.read_text().splitlines() == ["run"]
    assert lines == ["started", "finished"]


async def test_cancel_reaches_the_agent_and_stops_the_script(seaway, tmp_path):
    assert (await register(seaway, tmp_path / "agent", "cancel-01")).returncode == 0
    pid_file = tmp_path / "pid"
    command = Command(["/bin/bash", "-c", f"echo $$ > {pid_file}; echo up; sleep 600"], {}, tmp_path, 600)
    cancel, up = asyncio.Event(), asyncio.Event()

    async def on_line(level: str, line: str) -> None:
        up.set()

    machine = transport(seaway, await target(seaway, "cancel-01"))
    async with running_agent(tmp_path / "agent", seaway.env()):
        running = asyncio.create_task(machine.run(command, on_line=on_line, cancel=cancel))
        await asyncio.wait_for(up.wait(), 30)
        cancel.set()
        result = await asyncio.wait_for(running, 30)

    assert result.canceled
    assert not Path(f"/proc/{pid_file.read_text().strip()}").exists()


async def test_work_an_agent_never_picks_up_fails_naming_it_and_its_last_request(db_url, tmp_path):
    async with agent_seaway(db_url, tmp_path / "data", agent_timeout=2) as seaway:
        await apply_yaml(seaway.services, SPACE)
        assert (await register(seaway, tmp_path / "agent", "gone-01")).returncode == 0
        found = await target(seaway, "gone-01")
        command = Command(["true"], {}, tmp_path, 60)

        with pytest.raises(TargetError) as failed:
            await transport(seaway, found).run(command, on_line=_ignore, cancel=asyncio.Event())

        never = "the agent of gone-01 did not pick up the work within 2 s: it has never asked for work"
        assert str(failed.value) == never
        await _unavailable(seaway, found)


SKIPPING = """
environments: [Test]
targets:
  - {name: up-01, environments: [Test], roles: [web], endpoint: {type: agent}}
  - {name: gone-01, environments: [Test], roles: [web], endpoint: {type: agent}}
projects:
  - name: Site
    connectivity: {skip_unavailable: true}
    process:
      - name: Install
        type: script
        run_on: targets
        roles: [web]
        script: |
          echo "installed on #{Octopus.Machine.Name}"
      - name: Report
        type: script
        script: |
          echo "left out: #{Octopus.Deployment.ExcludedMachines}"
"""


async def test_an_agent_that_never_picks_up_is_skipped_where_the_project_skips_unavailable_targets(db_url, tmp_path):
    async with agent_seaway(db_url, tmp_path / "data", agent_timeout=2) as seaway:
        await apply_yaml(seaway.services, SKIPPING)
        for name in ("up-01", "gone-01"):
            assert (await register(seaway, tmp_path / name, name)).returncode == 0
        async with running_agent(tmp_path / "up-01", seaway.env()):  # gone-01's agent never runs
            deployment = await deploy(seaway.services, await release_of(seaway.services, "Site"), "Test")
            await seaway.services.worker.run_until_idle()

        task, _ = await task_of(seaway.services, deployment)
        assert task.state is TaskState.SUCCESS, task.error
        log = await log_of(seaway.services, deployment)
        assert "[up-01] installed on up-01" in log and "installed on gone-01" not in log
        assert "left out: gone-01" in log
        assert "did not pick up the work within 2 s" in log


async def _unavailable(seaway: AgentSeaway, found) -> None:
    services = seaway.services
    outcome = await run_health_check(services.store, services.target_probe, services.clock, found, actor=None)
    assert outcome.report.status is HealthStatus.UNAVAILABLE


async def test_a_polling_agent_is_healthy_and_a_revoked_one_is_refused_and_stops(seaway, tmp_path):
    assert (await register(seaway, tmp_path / "agent", "rev-01")).returncode == 0
    services = seaway.services
    async with running_agent(tmp_path / "agent", seaway.env()) as agent:
        command = Command(["true"], {}, tmp_path, 60)
        found = await target(seaway, "rev-01")
        assert (await transport(seaway, found).run(command, on_line=_ignore, cancel=asyncio.Event())).exit_code == 0
        checked = await run_health_check(services.store, services.target_probe, services.clock, found, actor=None)
        assert checked.report.status is HealthStatus.HEALTHY, checked.report

        revoked = await cli(["agent", "revoke", "rev-01"], seaway.env())
        assert revoked.returncode == 0, revoked.stderr

        assert await agent.wait() == 1
    assert agent.lines[-1].startswith(
        "stopped rev-01: the server refused the agent rev-01: this agent is not registered"
    )


async def test_an_agent_refuses_a_server_presenting_another_certificate(seaway, tmp_path):
    assert (await register(seaway, tmp_path / "agent", "pin-01")).returncode == 0
    path = tmp_path / "agent" / "registrations" / "pin-01.json"
    kept = json.loads(path.read_text())
    other = new_self_signed("impostor")[0].decode()
    path.write_text(json.dumps({**kept, "certificate": other, "thumbprint": thumbprint_of(other)}))

    async with running_agent(tmp_path / "agent", seaway.env()) as agent:
        assert await agent.wait() == 1

    presented = seaway.services.agent_certificate
    assert presented is not None
    assert agent.lines[-1] == (
        f"stopped pin-01: refused the server at {kept['agent_url']}: it presented the certificate "
        f"{presented.thumbprint}, not the pinned {thumbprint_of(other)}"
    )


@pytest.mark.parametrize(
    ("environments", "roles", "message"),
    [
        (("Qa",), ("web",), 'error: environments[0]: unknown environment "Qa"'),
        (("Test",), (), "error: roles: a target must have at least one role"),
    ],
)
async def test_bad_registrations_exit_2_naming_the_field_and_write_nothing(
    seaway, tmp_path, environments, roles, message
):
    refused = await register(seaway, tmp_path / "agent", "bad-01", environments=environments, roles=roles)

    assert refused.returncode == 2 and refused.stderr.strip() == message
    assert not (tmp_path / "agent").exists()
    async with seaway.services.store.reading() as uow:
        assert await uow.targets.find_by_name("bad-01") is None


async def test_a_bad_api_key_is_refused_and_writes_nothing(seaway, tmp_path):
    seaway.admin_key = "API-NOTAKEY"
    refused = await register(seaway, tmp_path / "agent", "bad-01")

    assert refused.returncode == 3 and refused.stderr.startswith("error: ") and len(refused.stderr.splitlines()) == 1
    assert not (tmp_path / "agent").exists()


async def _ignore(level: str, line: str) -> None:
    return None
