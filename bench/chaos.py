"""Chaos: deployments across two server nodes on PostgreSQL while a random node is SIGKILLed and started
again every few seconds, against the same load without kills in the same run.

    .venv/bin/python bench/chaos.py                       # 200 deployments, 60 s of kills
    .venv/bin/python bench/chaos.py --deployments 50 --seconds 20 --lease-seconds 3

Prints the deployments lost (must be 0: every deployment ends in success), the steps that ran again, and
the p99 extra latency the kills caused. Exit code 1 when a deployment is lost. Everything it makes is
removed at the end, also on error or Ctrl-C: its scratch databases, its temporary directory, and the
server processes it started (stopped by their own handles, never by name).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import asyncpg
import sqlalchemy as sa

from seaway.bootstrap import Services, build_services
from seaway.config.documents import load_text, parse_document
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import create_deployment
from seaway.engine.releases import create_release
from seaway.settings import Settings
from seaway.store.database import Database
from seaway.store.tables import step_runs, tasks

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
ENVIRONMENTS = ("E1", "E2", "E3", "E4", "E5")
STEPS = 3
STEP_SCRIPT = "sleep 0.2"  # long enough that kills land in the middle of deployments
NODES = 2
SEAWAY = [sys.executable, "-m", "seaway.cli.main"]


# -- the nodes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Node:
    """One `seaway server` process, started and killed by its own handle."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[str] | None = None
        self.ready = threading.Event()

    def start(self) -> None:
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [*SEAWAY, "server", "--port", str(free_port())],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout, self.ready), daemon=True).start()

    @staticmethod
    def _read(stream: IO[str], ready: threading.Event) -> None:
        for line in stream:  # read to the end: a server whose pipe fills up blocks
            if "Uvicorn running on" in line:
                ready.set()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def node_env(database_url: str, data_dir: Path, lease_seconds: float | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAWAY_")}
    env.update(SEAWAY_DATABASE_URL=database_url, SEAWAY_DATA_DIR=str(data_dir))
    if lease_seconds is not None:
        env["SEAWAY_LEASE_SECONDS"] = str(lease_seconds)
    return env


# -- the load ----------------------------------------------------------------------------------------


def space_document(projects: int) -> str:
    envs = ", ".join(ENVIRONMENTS)
    lines = [
        f"environments: [{envs}]",
        "lifecycles:",
        "  - name: Chaos",
        "    phases:",
        f"      - {{name: Anywhere, environments: [{envs}]}}",
        "projects:",
    ]
    for p in range(projects):
        lines += [f"  - name: Chaos {p:04d}", "    lifecycle: Chaos", "    process:"]
        lines += [f'      - {{name: Step {s}, type: script, script: "{STEP_SCRIPT}"}}' for s in range(1, STEPS + 1)]
    return "\n".join(lines) + "\n"


async def create_load(services: Services, n: int, seconds: float) -> None:
    """`n` deployments, spread evenly over the first 90 % of `seconds`, each with its own slot."""
    interval = seconds * 0.9 / n
    started = time.monotonic()
    for made in range(n):
        project, environment = divmod(made, len(ENVIRONMENTS))
        async with services.store.transaction() as uow:
            found = await uow.projects.get_by_name(f"Chaos {project:04d}")
            if environment == 0:
                release = await create_release(uow, found, now=services.clock.now(), user=None)
            await create_deployment(uow, release, ENVIRONMENTS[environment], now=services.clock.now(), user=None)
        await asyncio.sleep(max(0.0, started + (made + 1) * interval - time.monotonic()))


async def kill_randomly(nodes: list[Node], seconds: float, rng: random.Random, every: tuple[float, float]) -> int:
    """SIGKILL a random node and start it again, every few seconds, for `seconds`; returns the kills."""
    end = time.monotonic() + seconds
    kills = 0
    while True:
        pause = rng.uniform(*every)
        if time.monotonic() + pause >= end:
            return kills
        await asyncio.sleep(pause)
        node = rng.choice(nodes)
        await asyncio.to_thread(node.kill)
        node.start()
        kills += 1


async def unfinished(database: Database) -> int:
    terminal = [str(state) for state in TERMINAL_TASK_STATES]
    async with database.read() as conn:
        stmt = sa.select(sa.func.count()).select_from(tasks).where(tasks.c.state.not_in(terminal))
        return int((await conn.execute(stmt)).scalar_one())


async def drain(database: Database, timeout: float) -> None:
    """Wait until every deployment ended, or `timeout` passed (then the rest count as lost)."""
    deadline = time.monotonic() + timeout
    while await unfinished(database) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)


# -- one run -----------------------------------------------------------------------------------------


@dataclass
class RunResult:
    label: str
    deployments: int
    kills: int = 0
    succeeded: int = 0
    failed: int = 0
    reruns: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.deployments - self.succeeded

    def percentile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


async def measure(database: Database, result: RunResult) -> None:
    async with database.read() as conn:
        for row in await conn.execute(sa.select(tasks.c.state, tasks.c.queued_at, tasks.c.finished_at)):
            if row.state == str(TaskState.SUCCESS):
                result.succeeded += 1
                result.latencies.append((row.finished_at - row.queued_at).total_seconds())
            elif row.state == str(TaskState.FAILED):
                result.failed += 1
        reruns = sa.select(sa.func.coalesce(sa.func.sum(step_runs.c.attempts - 1), 0)).where(step_runs.c.attempts > 1)
        result.reruns = int((await conn.execute(reruns)).scalar_one())


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(label: str, args: argparse.Namespace, work: Path, *, kills: bool) -> RunResult:
    name = f"seaway_chaos_{os.getpid()}_{label}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    data_dir = work / label
    await admin(f'CREATE DATABASE "{name}"')
    nodes = [Node(node_env(url, data_dir, args.lease_seconds)) for _ in range(NODES)]
    services = build_services(Settings(data_dir=data_dir, database_url=url))
    try:
        await services.database.migrate()
        async with services.store.transaction() as uow:
            projects = -(-args.deployments // len(ENVIRONMENTS))
            await apply_document(
                uow, parse_document(load_text(space_document(projects))), actor=None, now=services.clock.now()
            )
        for node in nodes:
            node.start()
        for node in nodes:
            if not await asyncio.to_thread(node.ready.wait, 60):
                raise RuntimeError("a server did not start within 60 s")
        result = RunResult(label, args.deployments)
        load = create_load(services, args.deployments, args.seconds)
        if kills:
            rng = random.Random(args.seed)
            _, result.kills = await asyncio.gather(
                load, kill_randomly(nodes, args.seconds, rng, (args.min_interval, args.max_interval))
            )
        else:
            await load
        lease = args.lease_seconds or Settings().lease_seconds
        await drain(services.database, timeout=lease * 4 + 120)
        await measure(services.database, result)
        return result
    finally:
        for node in nodes:
            await asyncio.to_thread(node.stop)
        await services.close()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(calm: RunResult, chaos: RunResult) -> None:
    header = ("run", "deployments", "kills", "lost", "failed", "re-run", "p50 s", "p99 s")
    print(f"{header[0]:<10} " + " ".join(f"{h:>{max(len(h), 5)}}" for h in header[1:]))
    for r in (calm, chaos):
        print(
            f"{r.label:<10} {r.deployments:>11} {r.kills:>5} {r.lost:>5} {r.failed:>6} {r.reruns:>6} "
            f"{r.percentile(50):>5.2f} {r.percentile(99):>5.2f}"
        )
    print(f"deployments lost: {chaos.lost} (must be 0)")
    print(f"steps re-run: {chaos.reruns}")
    print(f"p99 extra latency from the kills: {chaos.percentile(99) - calm.percentile(99):.2f} s")


async def main_async(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="seaway-chaos-"))
    try:
        calm = await run("calm", args, work, kills=False)
        chaos = await run("chaos", args, work, kills=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(calm, chaos)
    return 1 if chaos.lost or calm.lost else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deployments", type=int, default=200, help="deployments per run (default 200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load and the kills last")
    parser.add_argument("--lease-seconds", type=float, default=None, help="the nodes' lease (default: Seaway's)")
    parser.add_argument("--min-interval", type=float, default=3.0, help="shortest pause between kills (s)")
    parser.add_argument("--max-interval", type=float, default=6.0, help="longest pause between kills (s)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random choices, to repeat a run")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main_async(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
