"""What a script step on targets costs: one deployment to 50 polling-agent targets (10 agent processes
with 5 registrations each) and to 10 SSH targets (one sshd), against the same script run as many times
in parallel on this machine with `xargs -P`.

    python bench/targets.py                 # agents and SSH
    python bench/targets.py --only agents

The server (API, agent listener and worker) runs in this process on SQLite; the agents are real
`seaway agent run` processes on loopback, the SSH targets one real sshd (tests/fixtures/sshd.py, root,
Debian's openssh-server and libnss-wrapper). Each ratio is the median of the rounds, the two sides
interleaved round by round. Aim (issue 13): ≤ 3×.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fixtures: the sshd and the in-process server

from tests.fixtures.agents import agent_seaway  # noqa: E402
from tests.fixtures.engine import apply_yaml, deploy, release_of, task_of  # noqa: E402

from seaway.agent.registrations import Registration, home_of, save  # noqa: E402
from seaway.domain.states import TaskState  # noqa: E402
from seaway.domain.targets import AgentEndpoint, DeploymentTarget  # noqa: E402
from seaway.engine.agents import register_agent  # noqa: E402
from seaway.steps.on_targets import DEFAULT_MAX_PARALLELISM  # noqa: E402

AIM = 3.0
ROUNDS = 3
PROCESSES, PER_PROCESS = 10, 5
SSH_TARGETS = 10
SCRIPT = 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i of $(hostname)"; done; sleep 0.2'
SEAWAY = [sys.executable, "-m", "seaway.cli.main"]


def space(ssh: object | None) -> str:
    targets = ""
    if ssh is not None:
        endpoint = (
            f"{{type: ssh, host: {ssh.host}, port: {ssh.port}, account: deploy, "  # type: ignore[attr-defined]
            f"fingerprint: '{ssh.fingerprint}'}}"  # type: ignore[attr-defined]
        )
        account = json.dumps(ssh.private_key)  # type: ignore[attr-defined]
        targets = (
            f"accounts:\n  - {{name: deploy, type: ssh-key, username: {ssh.username}, "  # type: ignore[attr-defined]
            f"private_key: {account}}}\ntargets:\n"
            + "".join(
                f"  - {{name: ssh-{i:02d}, environments: [Ssh], roles: [ssh], endpoint: {endpoint}}}\n"
                for i in range(SSH_TARGETS)
            )
        )
    step = """      - name: Run
        type: script
        run_on: targets
        roles: [{role}]
        max_parallelism: {parallelism}
        script: |
          {script}
"""
    return (
        "environments: [Agents, Ssh]\n"
        + "lifecycles:\n  - {name: Bench, phases: [{name: All, environments: [Agents, Ssh]}]}\n"
        + targets
        + "projects:\n"
        + "  - name: OnAgents\n    lifecycle: Bench\n    process:\n"
        + step.format(role="bench", script=SCRIPT, parallelism=PROCESSES * PER_PROCESS)
        + "  - name: OnSsh\n    lifecycle: Bench\n    process:\n"
        + step.format(role="ssh", script=SCRIPT, parallelism=SSH_TARGETS)
    )


def baseline(times: int, scratch: Path, parallel: int | None = None) -> float:
    script = scratch / "script.sh"
    script.write_text(SCRIPT + "\n")
    start = time.perf_counter()
    subprocess.run(
        f"seq {times} | xargs -P {parallel or times} -I{{}} /bin/bash {script} > /dev/null",
        shell=True,
        check=True,
    )
    return time.perf_counter() - start


async def register_agents(seaway: object, scratch: Path) -> list[Path]:
    services = seaway.services  # type: ignore[attr-defined]
    certificate = services.agent_certificate
    dirs = []
    for process in range(PROCESSES):
        base = scratch / f"agent-{process}"
        dirs.append(base)
        for index in range(PER_PROCESS):
            name = f"agent-{process}-{index}"
            wanted = DeploymentTarget(name, ("Agents",), ("bench",), AgentEndpoint())
            async with services.store.transaction() as uow:
                issued = await register_agent(
                    uow, None, wanted, home=str(home_of(base, name)), hostname="bench", now=services.clock.now()
                )
            save(
                base,
                Registration(
                    name,
                    f"https://127.0.0.1:{services.settings.agent_port}",
                    issued.secret,
                    certificate.pem,
                    certificate.thumbprint,
                ),
            )
    return dirs


async def one_deployment(seaway: object, project: str, environment: str) -> float:
    services = seaway.services  # type: ignore[attr-defined]
    release = await release_of(services, project)
    start = time.perf_counter()
    deployment = await deploy(services, release, environment)
    await services.worker.run_until_idle()
    elapsed = time.perf_counter() - start
    task, _ = await task_of(services, deployment)
    if task.state is not TaskState.SUCCESS:
        raise RuntimeError(f"the deployment to {environment} failed: {task.error}")
    return elapsed


async def run(only: str | None, scratch: Path) -> dict[str, dict[str, float]]:
    from tests.fixtures import sshd as sshd_fixture

    ssh = None
    if only != "agents":
        library = sshd_fixture._nss_wrapper()
        if library is None or not sshd_fixture.SSHD.exists() or os.geteuid() != 0:
            raise SystemExit("the SSH half needs root, openssh-server and libnss-wrapper (or --only agents)")
        base = Path(tempfile.mkdtemp(prefix="seaway-sshd-"))
        base.chmod(0o755)
        ssh = sshd_fixture.Sshd(base, library).start()
    figures: dict[str, dict[str, float]] = {}
    agents: list[subprocess.Popen[bytes]] = []
    try:
        async with agent_seaway(f"sqlite:///{scratch / 'seaway.db'}", scratch / "data", agent_timeout=120) as seaway:
            # The agents' targets first: a step's roles must be carried by some target when it is applied.
            await apply_yaml(seaway.services, "environments: [Agents, Ssh]\n")
            agent_dirs = await register_agents(seaway, scratch) if only != "ssh" else []
            await apply_yaml(seaway.services, space(ssh))
            halves: list[tuple[str, str, str, int]] = []
            if only != "ssh":
                for base_dir in agent_dirs:
                    agents.append(
                        subprocess.Popen(
                            [*SEAWAY, "agent", "run", "--dir", str(base_dir)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                    )
                halves.append(("agents", "OnAgents", "Agents", PROCESSES * PER_PROCESS))
            if ssh is not None:
                halves.append(("ssh", "OnSsh", "Ssh", SSH_TARGETS))
            for name, project, environment, count in halves:
                await one_deployment(seaway, project, environment)  # warm: connections, first polls
                ours, theirs, stepwise = [], [], []
                for _ in range(ROUNDS):
                    ours.append(await one_deployment(seaway, project, environment))
                    theirs.append(await asyncio.to_thread(baseline, count, scratch))
                    stepwise.append(await asyncio.to_thread(baseline, count, scratch, DEFAULT_MAX_PARALLELISM))
                mine, native = statistics.median(ours), statistics.median(theirs)
                figures[name] = {
                    "targets": count,
                    "seaway_s": mine,
                    "xargs_s": native,
                    "ratio": mine / native,
                    "ratio_at_step_parallelism": mine / statistics.median(stepwise),
                }
    finally:
        for agent in agents:
            agent.send_signal(signal.SIGTERM)
        for agent in agents:
            try:
                agent.wait(30)
            except subprocess.TimeoutExpired:
                agent.kill()
                agent.wait()
        if ssh is not None:
            ssh.stop()
            shutil.rmtree(ssh.base, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["agents", "ssh"])
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="seaway-bench-targets-"))
    try:
        figures = asyncio.run(run(args.only, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failed = False
    for name, figure in figures.items():
        verdict = "ok" if figure["ratio"] <= AIM else "OVER AIM"
        failed |= figure["ratio"] > AIM
        print(
            f"{name}: one deployment to {figure['targets']:.0f} targets {figure['seaway_s']:.2f} s, "
            f"xargs -P {figure['targets']:.0f} {figure['xargs_s']:.2f} s: {figure['ratio']:.2f}× (aim ≤ {AIM:g}×) "
            f"{verdict}; against xargs -P {DEFAULT_MAX_PARALLELISM}, the default max_parallelism: "
            f"{figure['ratio_at_step_parallelism']:.2f}×"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
