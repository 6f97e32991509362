"""HTTP read benchmark: a real `seaway server`, loaded by wrk, on SQLite and PostgreSQL.

    .venv/bin/python bench/api.py [--seconds 10] [--only sqlite|postgresql]

Seeds a space (50 projects, 5 environments, 300 finished deployments with their logs, an admin with an API
key made by `seaway admin create-user` / `create-api-key`), starts `seaway server` pinned to CPU 0 and runs
wrk pinned to CPU 1 against three endpoints on the same server in the same run:

- `GET /api/v1/health` (no authentication, no database): the baseline;
- `GET /api/v1/tasks/{id}` and `GET /api/v1/projects`, authenticated with `Authorization: Bearer <key>`,

at 10 and 50 connections. Figures are ratios to health's, because the machine is shared and noisy. Aims:
requests/s >= 0.3 x health's and p99 <= 5 x health's. It also counts the SQL statements and transactions
one request of each endpoint costs (in process, through httpx's ASGI transport).

Everything created (a temporary directory, a scratch database `seaway_bench_<pid>_api`) is removed at the end,
also on error or Ctrl-C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if not os.environ.get("PYTHONPATH"):  # a PYTHONPATH given measures that copy of seaway instead (A/B runs)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy import event

import seaway
from seaway.bootstrap import build_services
from seaway.config.documents import load_text, parse_document
from seaway.domain.ids import format_id
from seaway.domain.states import TaskState
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import create_deployment
from seaway.engine.releases import create_release
from seaway.settings import Settings
from seaway.web.app import create_app

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRATCH_DB = f"seaway_bench_{os.getpid()}_api"
SERVER_CPU, LOAD_CPU = "0", "1"
PROJECTS = 50
ENVIRONMENTS = [f"Env{i}" for i in range(1, 6)]
CONNECTIONS = (10, 50)
RPS_SHARE_AIM = 0.3  # requests/s >= this x health's
P99_FACTOR_AIM = 5.0  # p99 <= this x health's
SEAWAY_SRC = str(Path(seaway.__file__).resolve().parents[1])  # the copy of seaway this run measures


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    authenticated: bool


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p99_ms: float
    requests: int
    timeouts: int  # socket errors: wrk gives up on a request after 2 s


# -- seeding ---------------------------------------------------------------------------------------


def space_document() -> str:
    """Five environments in one phase; projects of three no-op steps with a few variables (logged per step)."""
    envs = ", ".join(ENVIRONMENTS)
    lines = [
        f"environments: [{envs}]",
        "lifecycles:",
        "  - name: Everywhere",
        "    phases:",
        f"      - {{name: Anywhere, environments: [{envs}]}}",
        "projects:",
    ]
    for p in range(PROJECTS):
        lines += [
            f"  - name: Service {p:02d}",
            "    lifecycle: Everywhere",
            f"    description: Service number {p} of the benchmark space",
            "    variables:",
            f"      - {{name: Port, value: '{8000 + p}'}}",
            "      - {name: Api Token, value: not-a-real-token, sensitive: true}",
            "    process:",
        ]
        lines += [f"      - {{name: Step {s}, type: noop}}" for s in (1, 2, 3)]
    return "\n".join(lines) + "\n"


async def seed(settings: Settings) -> int:
    """Release 1.0 of every project to every environment, then 1.1 to the first: 300 finished deployments."""
    services = build_services(settings)
    try:
        await services.database.migrate()
        async with services.store.transaction() as uow:
            await apply_document(uow, parse_document(load_text(space_document())), actor=None, now=services.clock.now())
        for version, environments in (("1.0", ENVIRONMENTS), ("1.1", ENVIRONMENTS[:1])):
            for p in range(PROJECTS):
                async with services.store.transaction() as uow:
                    project = await uow.projects.get_by_name(f"Service {p:02d}")
                    release = await create_release(uow, project, now=services.clock.now(), user=None, version=version)
                for environment in environments:
                    async with services.store.transaction() as uow:
                        await create_deployment(uow, release, environment, now=services.clock.now(), user=None)
            await services.worker.run_until_idle()
        async with services.store.reading() as uow:
            finished = await uow.tasks.list(state=TaskState.SUCCESS, limit=10_000)
        expected = PROJECTS * (len(ENVIRONMENTS) + 1)
        if len(finished) != expected:
            raise RuntimeError(f"seeding: {len(finished)} of {expected} deployments succeeded")
        return finished[len(finished) // 2].id
    finally:
        await services.close()


def seaway_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAWAY_")}
    env.update(
        SEAWAY_DATABASE_URL=settings.resolved_database_url(),
        SEAWAY_DATA_DIR=str(settings.data_dir),
        PYTHONPATH=SEAWAY_SRC,
    )
    return env


def seaway_cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "seaway.cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"seaway {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


# -- the server and the load -----------------------------------------------------------------------


@contextmanager
def running_server(env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    """`seaway server` pinned to SERVER_CPU; its output (one access-log line per request) goes to a file, so
    reading it costs this process nothing."""
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, sys.executable, "-m", "seaway.cli.main", "server", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError("the server exited before listening:\n" + log_path.read_text())
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within 60 s")
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if rps is None or p99 is None or total is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:  # a refused key or a missing task: the run measured something else
        raise RuntimeError(f"{non_2xx.group(1)} responses were not 2xx:\n{output}")
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = sum(map(int, sockets.groups())) if sockets else 0
    return WrkResult(float(rps.group(1)), float(p99.group(1)) * _UNITS_MS[p99.group(2)], int(total.group(1)), errors)


def run_wrk(url: str, key: str | None, connections: int, seconds: int) -> WrkResult:
    header = ["-H", f"Authorization: Bearer {key}"] if key else []
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *header, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


# -- statements per request ------------------------------------------------------------------------


class StatementCounter:
    """SQL statements (SQLite's explicit BEGIN included; asyncpg's own BEGIN and COMMIT not) and transactions, on
    every engine of this process: SQLite reads go through their own."""

    def __init__(self) -> None:
        self.statements = 0
        self.transactions = 0

    def _on_statement(self, *_args: Any) -> None:
        self.statements += 1

    def _on_begin(self, *_args: Any) -> None:
        self.transactions += 1

    def __enter__(self) -> StatementCounter:
        event.listen(sa.Engine, "before_cursor_execute", self._on_statement)
        event.listen(sa.Engine, "begin", self._on_begin)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(sa.Engine, "before_cursor_execute", self._on_statement)
        event.remove(sa.Engine, "begin", self._on_begin)


async def count_statements(settings: Settings, key: str, endpoints: list[Endpoint]) -> dict[str, tuple[float, float]]:
    """Per endpoint: (statements, transactions) per request, over 20 requests after one to warm up."""
    services = build_services(settings)
    counted: dict[str, tuple[float, float]] = {}
    rounds = 20
    try:
        transport = httpx.ASGITransport(app=create_app(services))
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
            for endpoint in endpoints:
                (await client.get(endpoint.path)).raise_for_status()
                with StatementCounter() as counter:
                    for _ in range(rounds):
                        (await client.get(endpoint.path)).raise_for_status()
                counted[endpoint.name] = (counter.statements / rounds, counter.transactions / rounds)
    finally:
        await services.close()
    return counted


# -- one database ----------------------------------------------------------------------------------


def bench_database(label: str, settings: Settings, seconds: int) -> dict[tuple[str, int], WrkResult]:
    print(f"\n== {label} ==", flush=True)
    started = time.perf_counter()
    task_id = asyncio.run(seed(settings))
    print(f"seeded {PROJECTS} projects, {PROJECTS * 6} finished deployments in {time.perf_counter() - started:.1f} s")
    env = seaway_env(settings)
    seaway_cli(["admin", "create-user", "admin", "--admin", "--email", "admin@example.org"], env)
    key = seaway_cli(["admin", "create-api-key", "admin", "--name", "bench"], env)
    endpoints = [
        Endpoint("health", "/api/v1/health", authenticated=False),
        Endpoint("task", f"/api/v1/tasks/{format_id('task', task_id)}", authenticated=True),
        Endpoint("projects", "/api/v1/projects", authenticated=True),
    ]
    results: dict[tuple[str, int], WrkResult] = {}
    port = free_port()
    with running_server(env, port, Path(settings.data_dir) / "server.log") as url:
        for endpoint in endpoints:  # warm up: connections, caches, compiled statements
            run_wrk(url + endpoint.path, key if endpoint.authenticated else None, 10, min(2, seconds))
        # Health right before the reads it is compared with: the load from others drifts over a run.
        for connections in CONNECTIONS:
            for endpoint in endpoints:
                endpoint_key = key if endpoint.authenticated else None
                results[(endpoint.name, connections)] = run_wrk(url + endpoint.path, endpoint_key, connections, seconds)
    statements = asyncio.run(count_statements(settings, key, endpoints))
    print_table(results, statements)
    return results


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def print_table(results: dict[tuple[str, int], WrkResult], statements: dict[str, tuple[float, float]]) -> None:
    print(
        f"{'endpoint':<10}{'conns':>6}{'req/s':>10}{'p99 ms':>9}{'x health req/s':>16}{'x health p99':>14}"
        f"{'stmts/req':>11}{'txns/req':>10}{'timeouts':>10}  verdict"
    )
    for name, connections in [(name, c) for name in statements for c in CONNECTIONS]:
        result = results[(name, connections)]
        health = results[("health", connections)]
        share = result.requests_per_s / health.requests_per_s
        factor = result.p99_ms / health.p99_ms
        if name == "health":
            verdict = "baseline"
        else:
            missed = [
                *([f"req/s < {RPS_SHARE_AIM}x"] if share < RPS_SHARE_AIM else []),
                *([f"p99 > {P99_FACTOR_AIM:g}x"] if factor > P99_FACTOR_AIM else []),
                *([f"{result.timeouts} timeouts"] if result.timeouts else []),
            ]
            verdict = "missed: " + ", ".join(missed) if missed else "met"
        stmts, txns = statements[name]
        print(
            f"{name:<10}{connections:>6}{result.requests_per_s:>10.0f}{result.p99_ms:>9.1f}{share:>15.2f}x"
            f"{factor:>13.2f}x{stmts:>11.1f}{txns:>10.1f}{result.timeouts:>10}  {verdict}"
        )


async def pg_admin(sql: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run (default 10)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (`make bench` does it)")
    print(f"measuring seaway from {SEAWAY_SRC}; server on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}")
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="seaway-bench-") as tmp:
            settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/seaway.db")
            bench_database("SQLite", settings, args.seconds)
    if args.only != "sqlite":
        asyncio.run(pg_admin(f'CREATE DATABASE "{SCRATCH_DB}"'))
        try:
            with tempfile.TemporaryDirectory(prefix="seaway-bench-") as tmp:
                url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{SCRATCH_DB}"
                bench_database("PostgreSQL", Settings(data_dir=Path(tmp), database_url=url), args.seconds)
        finally:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
