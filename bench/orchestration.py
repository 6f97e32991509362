"""Orchestration benchmark: N deployments of a 3-step no-op process, end to end, on SQLite and PostgreSQL.

    .venv/bin/python bench/orchestration.py [--deployments N] [--only sqlite|postgresql]

Creation (one release per project, one deployment per environment, each in its own transaction as the API
does it) is timed apart from execution (the worker running every deployment to success). Every real
COMMIT on Seaway's engine is counted and labelled by what the transaction wrote. Figures are reported as
ratios against baselines measured in the same run, because the machine is shared and noisy:

- PostgreSQL's own `pgbench -N` rate (before and after the Seaway runs) on a scratch database;
- the raw durable-commit rate of SQLite (WAL, synchronous=FULL) in the same temporary directory;
- procrastinate, a PostgreSQL task queue, deferring and running N no-op jobs on the same server.

Everything created (temporary directories, scratch databases `seaway_bench_<pid>*`) is removed at the end,
also on error. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import logging
import math
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from seaway.bootstrap import Services, build_services
from seaway.config.documents import load_text, parse_document
from seaway.domain.releases import Release
from seaway.domain.states import StepState, TaskState
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import create_deployment
from seaway.engine.releases import create_release
from seaway.engine.worker import Worker
from seaway.settings import Settings
from seaway.store.database import Database

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
PGBENCH = "/usr/bin/pgbench"
ENVIRONMENTS = [f"Env{i}" for i in range(1, 6)]  # one release per project goes to each: distinct deployment slots
STEPS = 3
WORKER_CAPACITY = 5  # Seaway's default task cap per node, and procrastinate's concurrency
# Aims, as ratios to baselines of the same run.
SQLITE_EXEC_SHARE = 0.025  # execution deployments/s >= this x SQLite's raw durable commits/s
SQLITE_E2E_SHARE = 0.02  # creation + execution deployments/s >= this x the same
PG_PEER_SHARE = 0.5  # execution deployments/s (1 worker) >= this x procrastinate's no-op jobs/s
PG_SCALING = 1.6  # 2 worker processes >= this x 1 worker
SCRATCH_PREFIX = f"seaway_bench_{os.getpid()}"


# -- counting commits ------------------------------------------------------------------------------

_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)

# A committed transaction is labelled by the first of these that it wrote (most specific first).
LABELS: list[tuple[str, str]] = [
    ("insert releases", "create release"),
    ("insert deployments", "create deployment (+ task + work item)"),
    ("delete work_items", "last step done + task ended + item completed"),
    ("insert deployment_slots", "task started: slot + first step running"),
    ("claim work_items", "claim work items"),
    ("update step_runs", "step done + next step running"),
    ("insert task_logs", "log flush alone"),
    # Every engine transaction for a work item renews its lease (the fence); alone it is a heartbeat.
    ("update work_items", "heartbeat / lease"),
]


def transaction_label(writes: set[str]) -> str:
    for key, label in LABELS:
        if key in writes:
            return label
    if writes:
        return "other: " + ", ".join(sorted(writes))
    return "read-only"


class CommitCounter:
    """Counts the COMMITs (and statements) Seaway's engine issues, per phase, labelled by what each wrote."""

    def __init__(self, engine: sa.Engine) -> None:
        self.phase = "setup"
        self.commits: dict[str, Counter[str]] = {}
        self.statements: Counter[str] = Counter()
        self.rollbacks: Counter[str] = Counter()
        self._writes: dict[int, set[str]] = {}
        sync_engine = engine
        event.listen(sync_engine, "begin", self._on_begin)
        event.listen(sync_engine, "before_cursor_execute", self._on_statement)
        event.listen(sync_engine, "commit", self._on_commit)
        event.listen(sync_engine, "rollback", self._on_rollback)

    def _on_begin(self, conn: sa.Connection) -> None:
        self._writes[id(conn)] = set()

    def _on_statement(
        self, conn: sa.Connection, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        self.statements[self.phase] += 1
        match = _WRITE.match(statement)
        if match is None:
            return
        verb = match.group(1).split()[0].lower()
        table = match.group(2).lower()
        if verb == "update" and table == "work_items" and "attempts" in statement and "RETURNING" in statement:
            verb = "claim"
        self._writes.setdefault(id(conn), set()).add(f"{verb} {table}")

    def _on_commit(self, conn: sa.Connection) -> None:
        label = transaction_label(self._writes.pop(id(conn), set()))
        self.commits.setdefault(self.phase, Counter())[label] += 1

    def _on_rollback(self, conn: sa.Connection) -> None:
        self._writes.pop(id(conn), None)
        self.rollbacks[self.phase] += 1

    def total(self, phase: str) -> int:
        return sum(self.commits.get(phase, Counter()).values())


class LostLeaseWarnings(logging.Filter):
    """Counts (and keeps off the terminal) the worker's "lost the lease" warnings; the count is reported."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("lost the lease"):
            self.count += 1
            return False
        return True


LOST_LEASES = LostLeaseWarnings()
logging.getLogger("seaway.worker").addFilter(LOST_LEASES)
logging.getLogger("procrastinate").setLevel(logging.ERROR)  # its advice about where the App is defined


# -- PostgreSQL administration (psycopg, autocommit) ----------------------------------------------


def pg_dsn(dbname: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


def pg_admin(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql.encode(), params)
        return list(cur.fetchall()) if cur.description else []


def create_database(name: str) -> None:
    drop_database(name)
    pg_admin(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def server_commits(name: str) -> int:
    """Committed transactions of a database as PostgreSQL counts them (read-only ones included).

    Backends flush their statistics when they exit: call this after closing the pools, it waits a moment."""
    await asyncio.sleep(1.0)
    rows = pg_admin("SELECT pg_stat_clear_snapshot(), xact_commit FROM pg_stat_database WHERE datname = %s", (name,))
    return int(rows[0][1]) if rows else 0


@contextlib.contextmanager
def scratch_databases() -> Iterator[Callable[[str], str]]:
    """Hands out scratch database names (created empty); drops every one of them at the end, even on error."""
    made: list[str] = []

    def make(suffix: str) -> str:
        name = f"{SCRATCH_PREFIX}_{suffix}"
        if name not in made:
            made.append(name)
        create_database(name)
        return name

    try:
        yield make
    finally:
        for name in made:
            try:
                drop_database(name)
            except Exception as exc:
                print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)


# -- baselines ---------------------------------------------------------------------------------------


@dataclass
class PgbenchResult:
    tps: list[float] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return sum(self.tps) / len(self.tps)


async def run_command(*command: str, timeout: float) -> str:
    """Run a program without blocking the event loop; it is stopped (by its own handle) if we are."""
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} exited with {proc.returncode}: {err.decode(errors='replace')}")
    return out.decode(errors="replace")


async def run_pgbench(dbname: str, seconds: int) -> float:
    """`pgbench -N` (no updates of the small tables): PostgreSQL's own commit rate with 4 clients."""
    base = [PGBENCH, "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER]
    await run_command(*base, "-i", "-s", "1", "-q", dbname, timeout=300)
    out = await run_command(*base, "-N", "-c", "4", "-j", "2", "-T", str(seconds), "-n", dbname, timeout=seconds + 120)
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    if found is None:
        raise RuntimeError(f"cannot read the tps from pgbench's output:\n{out}")
    return float(found.group(1))


def sqlite_commit_rate(directory: Path, seconds: float = 3.0) -> float:
    """One-row durable commits per second from one writer, with the pragmas Seaway's store sets."""
    path = directory / "baseline.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        count = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES ('x')")
            conn.execute("COMMIT")
            count += 1
        return count / elapsed
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- the peer: procrastinate -----------------------------------------------------------------------


@dataclass
class PeerResult:
    n: int
    version: str
    defer_s: float
    run_s: float
    defer_commits: int
    run_commits: int
    statuses: dict[str, int]


async def run_procrastinate(dbname: str, n: int) -> PeerResult:
    """N no-op jobs, each deferred in its own transaction, then run by one worker with concurrency 5."""
    from importlib.metadata import version

    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=pg_dsn(dbname)))

    @app.task(name="bench_noop")
    async def bench_noop() -> None:
        return None

    async with opened(app):
        await app.schema_manager.apply_schema_async()
    before = await server_commits(dbname)
    async with opened(app):
        started = time.perf_counter()
        for _ in range(n):
            await bench_noop.defer_async()
        defer_s = time.perf_counter() - started
    deferred = await server_commits(dbname)
    async with opened(app):
        started = time.perf_counter()
        await app.run_worker_async(wait=False, concurrency=WORKER_CAPACITY, install_signal_handlers=False)
        run_s = time.perf_counter() - started
    ran = await server_commits(dbname)
    rows = pg_admin_in(dbname, "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
    return PeerResult(
        n=n,
        version=version("procrastinate"),
        defer_s=defer_s,
        run_s=run_s,
        defer_commits=deferred - before,
        run_commits=ran - deferred,
        statuses={str(k): int(v) for k, v in rows},
    )


@contextlib.asynccontextmanager
async def opened(app: Any) -> AsyncIterator[None]:
    """Open procrastinate's pool and always close it, also when interrupted while opening (its pool's
    workers would otherwise keep the event loop from ending)."""
    try:
        await app.open_async()
        yield
    finally:
        await app.close_async()


def pg_admin_in(dbname: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(pg_dsn(dbname), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql.encode())
        return list(cur.fetchall())


# -- Seaway ------------------------------------------------------------------------------------------


def space_document(projects: int) -> str:
    """Five environments in one lifecycle phase, and `projects` projects of three no-op steps."""
    envs = ", ".join(ENVIRONMENTS)
    lines = [
        f"environments: [{envs}]",
        "lifecycles:",
        "  - name: Bench",
        "    phases:",
        f"      - {{name: Anywhere, environments: [{envs}]}}",
        "projects:",
    ]
    for p in range(projects):
        lines += [f"  - name: Bench {p:05d}", "    lifecycle: Bench", "    process:"]
        lines += [f"      - {{name: Step {s}, type: noop}}" for s in range(1, STEPS + 1)]
    return "\n".join(lines) + "\n"


def seaway_settings(data_dir: Path, database_url: str | None) -> Settings:
    # Only what a benchmark must choose; everything else (capacity 5, leases, polling) is the default.
    return Settings(data_dir=data_dir, database_url=database_url)


async def warm_pool(database: Database, connections: int) -> None:
    """Open the pool's connections before timing, so connecting is not measured."""
    async with database.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(connections):
            conn = await stack.enter_async_context(database.read())
            await conn.execute(sa.text("SELECT 1"))


@dataclass
class SeawayResult:
    database: str
    workers: str
    n: int
    create_s: float
    execute_s: float
    create_cpu: float  # CPU seconds of the Seaway process(es), to tell Python work from waiting
    execute_cpu: float
    commits: dict[str, Counter[str]]
    statements: Counter[str]
    rollbacks: Counter[str]
    task_states: dict[str, int]
    steps_succeeded: int
    steps_rerun: int
    items_left: int
    server_commits: dict[str, int] = field(default_factory=dict)
    lost_lease_warnings: int = 0

    def commits_per_deployment(self, phase: str) -> float:
        return sum(self.commits.get(phase, Counter()).values()) / self.n

    @property
    def total_commits_per_deployment(self) -> float:
        return self.commits_per_deployment("create") + self.commits_per_deployment("execute")

    @property
    def execute_rate(self) -> float:
        return self.n / self.execute_s

    @property
    def end_to_end_rate(self) -> float:
        return self.n / (self.create_s + self.execute_s)

    @property
    def create_rate(self) -> float:
        return self.n / self.create_s

    @property
    def ok(self) -> bool:
        return (
            self.task_states.get(TaskState.SUCCESS.value, 0) == self.n
            and self.steps_succeeded == STEPS * self.n
            and self.steps_rerun == 0
            and self.items_left == 0
        )


async def create_deployments(services: Services, n: int) -> None:
    """One release per project, deployed to each environment: every call in its own transaction, as the API."""
    made = 0
    project = 0
    while made < n:
        async with services.store.transaction() as uow:
            found = await uow.projects.get_by_name(f"Bench {project:05d}")
            release: Release = await create_release(uow, found, now=services.clock.now(), user=None)
        for environment in ENVIRONMENTS[: n - made]:
            async with services.store.transaction() as uow:
                await create_deployment(uow, release, environment, now=services.clock.now(), user=None)
            made += 1
        project += 1


async def outcome(services: Services) -> tuple[dict[str, int], int, int, int]:
    """Task states, succeeded steps, steps that ran more than once, work items left."""
    async with services.database.read() as conn:

        async def scalar(sql: str, **params: Any) -> int:
            return int((await conn.execute(sa.text(sql), params)).scalar_one())

        states = {
            str(state): int(count)
            for state, count in await conn.execute(sa.text("SELECT state, COUNT(*) FROM tasks GROUP BY state"))
        }
        steps = await scalar("SELECT COUNT(*) FROM step_runs WHERE state = :s", s=StepState.SUCCEEDED.value)
        reruns = await scalar("SELECT COUNT(*) FROM step_runs WHERE attempts <> 1")
        left = await scalar("SELECT COUNT(*) FROM work_items")
    return states, steps, reruns, left


def extra_worker(services: Services, node_id: str) -> Worker:
    """A second Worker instance on the same store, as a second node would have (its own node id)."""
    first = services.worker
    settings = services.settings
    return Worker(
        services.store,
        services.clock,
        first.handlers,
        capacity=settings.task_cap,
        lease_seconds=settings.lease_seconds,
        poll_seconds=settings.poll_seconds,
        node_id=node_id,
    )


@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)
        print(f"  (profile of the execution written to {path})")


async def run_seaway(
    database: str,
    n: int,
    data_dir: Path,
    *,
    pg_name: str | None = None,
    workers: int = 1,
    processes: bool = False,
    profile: Path | None = None,
) -> SeawayResult:
    url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{pg_name}" if pg_name else None
    services = build_services(seaway_settings(data_dir, url))
    closed = False
    try:
        counter = CommitCounter(services.database.sync_engine)
        lost_before = LOST_LEASES.count
        await services.database.migrate()
        projects = math.ceil(n / len(ENVIRONMENTS))
        async with services.store.transaction() as uow:
            await apply_document(
                uow, parse_document(load_text(space_document(projects))), actor=None, now=services.clock.now()
            )
        server: dict[str, int] = {}
        if pg_name:
            await services.database.dispose()
            server["before"] = await server_commits(pg_name)
        await warm_pool(services.database, 1)

        counter.phase = "create"
        started, cpu = time.perf_counter(), time.process_time()
        await create_deployments(services, n)
        create_s, create_cpu = time.perf_counter() - started, time.process_time() - cpu
        counter.phase = "between"

        if pg_name:
            await services.database.dispose()
            server["created"] = await server_commits(pg_name)
        child_commits: list[dict[str, Any]] = []
        if processes:
            assert url is not None
            execute_s, child_commits = await run_worker_processes(url, data_dir, workers)
            execute_cpu = sum(float(child["cpu"]) for child in child_commits)
        else:
            pool = [services.worker] + [extra_worker(services, f"bench-node-{i}") for i in range(1, workers)]
            await warm_pool(services.database, WORKER_CAPACITY * workers + 1)
            counter.phase = "execute"
            with profiled(profile):
                started, cpu = time.perf_counter(), time.process_time()
                await asyncio.gather(*(w.run_until_idle() for w in pool))
                execute_s, execute_cpu = time.perf_counter() - started, time.process_time() - cpu
        counter.phase = "verify"
        if pg_name:
            await services.database.dispose()
            server["executed"] = await server_commits(pg_name)
        states, steps, reruns, left = await outcome(services)
        await services.close()
        closed = True

        commits = {phase: Counter(c) for phase, c in counter.commits.items()}
        statements = Counter(counter.statements)
        for child in child_commits:
            commits.setdefault("execute", Counter()).update(child["commits"])
            statements["execute"] += child["statements"]
        label = f"{workers} worker {'processes' if processes else 'instances'}" if workers > 1 else "1 worker"
        result = SeawayResult(
            database=database,
            workers=label,
            n=n,
            create_s=create_s,
            execute_s=execute_s,
            create_cpu=create_cpu,
            execute_cpu=execute_cpu,
            commits=commits,
            statements=statements,
            rollbacks=Counter(counter.rollbacks),
            task_states=states,
            steps_succeeded=steps,
            steps_rerun=reruns,
            items_left=left,
            lost_lease_warnings=LOST_LEASES.count - lost_before + sum(int(c["lost"]) for c in child_commits),
        )
        if pg_name:
            result.server_commits = {
                "create": server["created"] - server["before"],
                "execute": server["executed"] - server["created"],
            }
        return result
    finally:
        if not closed:
            await services.close()


async def run_worker_processes(url: str, data_dir: Path, count: int) -> tuple[float, list[dict[str, Any]]]:
    """`count` worker processes (own node ids) on the same PostgreSQL database, started together."""
    procs: list[asyncio.subprocess.Process] = []
    try:
        for i in range(count):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker-child",
                url,
                str(data_dir),
                f"bench-process-{i}",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            procs.append(proc)
        for proc in procs:
            assert proc.stdout is not None
            line = await proc.stdout.readline()
            if line.strip() != b"ready":
                raise RuntimeError(f"a worker process did not start: {line!r}")
        started = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        reports: list[dict[str, Any]] = []
        for proc in procs:
            assert proc.stdout is not None
            reports.append(json.loads(await proc.stdout.readline()))
        elapsed = time.perf_counter() - started
        for proc in procs:
            if await proc.wait() != 0:
                raise RuntimeError(f"worker process {proc.pid} exited with {proc.returncode}")
        return elapsed, reports
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()  # only the processes started above, by their own handle
                await proc.wait()


async def worker_child(url: str, data_dir: Path, node_id: str) -> None:
    """One worker process: connect, say ready, wait for go, run until idle, report its commits as JSON."""
    services = build_services(seaway_settings(data_dir, url))
    try:
        counter = CommitCounter(services.database.sync_engine)
        worker = extra_worker(services, node_id)
        await warm_pool(services.database, WORKER_CAPACITY + 1)
        print("ready", flush=True)
        if (await asyncio.to_thread(sys.stdin.readline)).strip() != "go":
            return  # the benchmark stopped before timing began
        counter.phase = "execute"
        cpu = time.process_time()
        await worker.run_until_idle()
        counter.phase = "done"
        report = {
            "commits": dict(counter.commits.get("execute", Counter())),
            "statements": counter.statements["execute"],
            "cpu": time.process_time() - cpu,
            "lost": LOST_LEASES.count,
        }
        print(json.dumps(report), flush=True)
    finally:
        await services.close()


# -- report ------------------------------------------------------------------------------------------


@dataclass
class Baselines:
    pgbench_tps: list[float] = field(default_factory=list)
    sqlite_commits: float | None = None  # raw durable commits/s
    peers: list[PeerResult] = field(default_factory=list)

    @property
    def pgbench(self) -> float | None:
        return sum(self.pgbench_tps) / len(self.pgbench_tps) if self.pgbench_tps else None

    def peer_rate(self, which: str) -> float | None:
        """procrastinate's jobs/s ("defer", "run" or "both"), the mean of its runs."""
        if not self.peers:
            return None
        rates = []
        for peer in self.peers:
            seconds = {"run": peer.run_s, "defer": peer.defer_s, "both": peer.run_s + peer.defer_s}[which]
            rates.append(peer.n / seconds)
        return sum(rates) / len(rates)


def rule(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)))


def ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "-"


def print_baselines(base: Baselines, n: int) -> None:
    if base.pgbench is None and base.sqlite_commits is None and not base.peers:
        return
    rule("Baselines measured in this run")
    if base.pgbench is not None:
        runs = ", ".join(f"{t:.0f}" for t in base.pgbench_tps)
        print(f"  pgbench -N -c 4 -j 2 (before, after): {runs} tps; mean {base.pgbench:.0f} tps")
    if base.sqlite_commits is not None:
        print(f"  SQLite raw durable commits (WAL, synchronous=FULL, one writer): {base.sqlite_commits:.0f}/s")
    for i, peer in enumerate(base.peers, 1):
        print(
            f"  procrastinate {peer.version} run {i}: {n} no-op jobs, concurrency {WORKER_CAPACITY}, "
            f"statuses {peer.statuses}"
        )
        for name, seconds, xacts in (
            ("defer, one job per transaction", peer.defer_s, peer.defer_commits),
            ("run (worker until idle)", peer.run_s, peer.run_commits),
            ("defer + run", peer.defer_s + peer.run_s, peer.defer_commits + peer.run_commits),
        ):
            print(f"    {name:32}{seconds:7.2f} s{n / seconds:8.1f} jobs/s{xacts / n:7.2f} server xacts/job")


def print_seaway(result: SeawayResult, base: Baselines) -> None:
    n = result.n
    rule(f"Seaway on {result.database}, {result.workers} (capacity {WORKER_CAPACITY} each)")
    if not result.ok:
        print(
            f"  !! NOT ALL DEPLOYMENTS SUCCEEDED EXACTLY ONCE: tasks {result.task_states}, steps succeeded "
            f"{result.steps_succeeded}/{STEPS * n}, steps run more than once {result.steps_rerun}, "
            f"work items left {result.items_left}"
        )
    else:
        print(f"  all {n} deployments succeeded, each of the {STEPS * n} steps ran once, no work item left")
    create_c = result.commits_per_deployment("create")
    exec_c = result.commits_per_deployment("execute")
    total_c = create_c + exec_c
    print(
        f"  {'':22}{'seconds':>8}{'deploy/s':>10}{'commits/dep':>13}{'commits/s':>11}{'stmts/dep':>11}"
        f"{'CPU ms/dep':>12}{'CPU busy':>10}"
    )
    rows = [
        ("creation", result.create_s, create_c, result.statements["create"], result.create_cpu),
        ("execution", result.execute_s, exec_c, result.statements["execute"], result.execute_cpu),
        (
            "creation + execution",
            result.create_s + result.execute_s,
            total_c,
            result.statements["create"] + result.statements["execute"],
            result.create_cpu + result.execute_cpu,
        ),
    ]
    for name, seconds, per_dep, stmts, cpu in rows:
        print(
            f"  {name:22}{seconds:8.2f}{n / seconds:10.1f}{per_dep:13.2f}{per_dep * n / seconds:11.0f}"
            f"{stmts / n:11.1f}{1000 * cpu / n:12.2f}{cpu / seconds:10.0%}"
        )
    print("  commits per deployment, by what the transaction wrote:")
    for phase in ("create", "execute"):
        for label, count in result.commits.get(phase, Counter()).most_common():
            print(f"    {phase:8} {label:48}{count / n:6.2f}")
    if result.server_commits:
        sc = result.server_commits
        print(
            f"  PostgreSQL's own count (pg_stat_database.xact_commit): creation {sc['create'] / n:.2f}, "
            f"execution {sc['execute'] / n:.2f} per deployment"
        )
    if result.lost_lease_warnings:
        print(
            f'  worker warnings "lost the lease": {result.lost_lease_warnings} (kept off the terminal; '
            + ("no step ran twice: the items had just been completed)" if result.ok else "see above)")
        )
    rollbacks = sum(result.rollbacks[p] for p in ("create", "execute"))
    if rollbacks:
        print(f"  rollbacks during the measured phases: {rollbacks}")
    if result.database == "SQLite" and base.sqlite_commits:
        raw = base.sqlite_commits
        print(
            f"  target: execution >= {SQLITE_EXEC_SHARE} x and creation + execution >= {SQLITE_E2E_SHARE} x "
            f"SQLite's raw durable commit rate ({raw:.0f}/s)"
        )
        for name, rate, share in (
            ("execution", result.execute_rate, SQLITE_EXEC_SHARE),
            ("creation + execution", result.end_to_end_rate, SQLITE_E2E_SHARE),
        ):
            verdict = "MET" if rate >= share * raw else "MISSED"
            print(f"    {name:22}{rate:8.1f}/s = {rate / raw:.4f}x the raw commit rate (aim {share}x)  {verdict}")
        used = total_c * result.end_to_end_rate
        print(
            f"  commits/s used end to end: {used:.0f} = {used / raw:.3f}x SQLite's raw durable "
            f"commit rate; at {total_c:.2f} commits/deployment that rate alone would allow "
            f"{raw / total_c:.0f} deployments/s"
        )
    elif base.pgbench is not None:
        tps = base.pgbench
        print(
            f"  PostgreSQL commits used: execution {result.execute_rate * exec_c / tps:.3f}x, creation + execution "
            f"{result.end_to_end_rate * total_c / tps:.3f}x pgbench's commit rate ({tps:.0f} tps)"
        )
    if result.database != "SQLite" and base.peers:
        peer = base.peer_rate("run")
        print(
            "  vs procrastinate (jobs/s, mean of its runs): "
            f"execution {ratio(result.execute_rate, peer)}"
            f", creation vs defer {ratio(result.create_rate, base.peer_rate('defer'))}"
            f", creation + execution vs defer + run {ratio(result.end_to_end_rate, base.peer_rate('both'))}"
        )
        if result.workers == "1 worker" and peer:
            verdict = "MET" if result.execute_rate >= PG_PEER_SHARE * peer else "MISSED"
            print(f"  target: execution >= {PG_PEER_SHARE} x procrastinate's jobs/s with one worker  {verdict}")


def scaling(results: list[SeawayResult]) -> float | None:
    """PostgreSQL: execution rate of 2 worker processes over that of 1 worker, in this run."""
    one = next((r for r in results if r.database == "PostgreSQL" and r.workers == "1 worker"), None)
    two = next((r for r in results if r.database == "PostgreSQL" and r.workers == "2 worker processes"), None)
    return two.execute_rate / one.execute_rate if one and two else None


def print_summary(results: list[SeawayResult], base: Baselines) -> None:
    rule("Summary: ratios against the baselines of this run")
    print(
        f"  {'run':34}{'exec/s':>8}{'e2e/s':>8}{'commits/dep':>13}{'target/s':>10}{'vs target':>11}"
        f"{'vs procrastinate':>18}"
    )
    for r in results:
        if r.database == "SQLite":
            target = SQLITE_EXEC_SHARE * base.sqlite_commits if base.sqlite_commits else None
        else:
            peer = base.peer_rate("run")
            target = PG_PEER_SHARE * peer if peer else None
        vs_peer = ratio(r.execute_rate, base.peer_rate("run")) if r.database != "SQLite" else "-"
        name = f"{r.database}, {r.workers}" + ("" if r.ok else " (FAILED)")
        print(
            f"  {name:34}{r.execute_rate:8.1f}{r.end_to_end_rate:8.1f}{r.total_commits_per_deployment:13.2f}"
            f"{target or math.nan:10.1f}{ratio(r.execute_rate, target):>11}{vs_peer:>18}"
        )
    factor = scaling(results)
    if factor is not None:
        verdict = "MET" if factor >= PG_SCALING else "MISSED"
        print(f"  PostgreSQL scaling, 2 worker processes / 1 worker: {factor:.2f}x (aim {PG_SCALING}x)  {verdict}")
    print(
        "  exec/s: deployments/s of the execution; e2e/s: of creation + execution; commits/dep: both phases;\n"
        f"  target/s: SQLite {SQLITE_EXEC_SHARE} x its raw durable commits/s, PostgreSQL {PG_PEER_SHARE} x "
        "procrastinate's jobs/s; vs procrastinate: execution deployments/s / its jobs/s"
    )


# -- main --------------------------------------------------------------------------------------------


async def run_all(args: argparse.Namespace) -> int:
    main_task = asyncio.current_task()
    assert main_task is not None
    # SIGTERM (like Ctrl-C) unwinds through every finally: scratch databases are dropped, workers stopped.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    n: int = args.deployments
    only: str | None = args.only
    baselines = not args.no_baselines
    results: list[SeawayResult] = []
    base = Baselines()
    profile_dir: Path | None = Path(args.profile).resolve() if args.profile else None
    print(
        f"Seaway orchestration benchmark: {n} deployments x {STEPS} no-op steps "
        f"({math.ceil(n / len(ENVIRONMENTS))} projects x {len(ENVIRONMENTS)} environments), "
        f"worker capacity {WORKER_CAPACITY}, {os.cpu_count()} CPUs"
    )

    def progress(what: str, started: float) -> None:
        print(f"  {what}: {time.perf_counter() - started:.1f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="seaway-bench-") as tmp, scratch_databases() as scratch:
        tmp_dir = Path(tmp)

        def profile_for(name: str) -> Path | None:
            return profile_dir / f"orchestration-{name}.prof" if profile_dir else None

        if only in (None, "sqlite"):
            started = time.perf_counter()
            if baselines:
                base.sqlite_commits = sqlite_commit_rate(tmp_dir)
            results.append(await run_seaway("SQLite", n, tmp_dir / "sqlite", profile=profile_for("sqlite")))
            progress("SQLite", started)
        if only in (None, "postgresql"):
            if baselines:
                started = time.perf_counter()
                base.pgbench_tps.append(await run_pgbench(scratch("pgbench"), args.pgbench_seconds))
                base.peers.append(await run_procrastinate(scratch("peer"), n))
                progress("pgbench and procrastinate", started)
            runs: list[tuple[str, int, bool]] = [("pg1", 1, False)]
            if not args.single_worker:
                runs += [("pg2i", 2, False), ("pg2p", 2, True)]
            for name, workers, processes in runs:
                started = time.perf_counter()
                result = await run_seaway(
                    "PostgreSQL",
                    n,
                    tmp_dir / name,
                    pg_name=scratch("seaway"),
                    workers=workers,
                    processes=processes,
                    profile=None if processes else profile_for(name),
                )
                results.append(result)
                progress(f"PostgreSQL, {result.workers}", started)
            if baselines:
                started = time.perf_counter()
                base.peers.append(await run_procrastinate(scratch("peer"), n))
                base.pgbench_tps.append(await run_pgbench(scratch("pgbench"), args.pgbench_seconds))
                progress("procrastinate and pgbench again", started)
    print_baselines(base, n)
    for result in results:
        print_seaway(result, base)
    print_summary(results, base)
    return 0 if all(r.ok for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--deployments", type=int, default=500, help="how many deployments (and peer jobs)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--pgbench-seconds", type=int, default=10, help="duration of each pgbench run")
    parser.add_argument("--single-worker", action="store_true", help="PostgreSQL: skip the 2-worker runs")
    parser.add_argument(
        "--no-baselines", action="store_true", help="skip pgbench, procrastinate and the SQLite commit rate (A/B runs)"
    )
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile of each in-process execution to DIR")
    parser.add_argument("--worker-child", nargs=3, metavar=("URL", "DATA_DIR", "NODE_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_child:
        url, data_dir, node_id = args.worker_child
        asyncio.run(worker_child(url, Path(data_dir), node_id))
        return 0
    if args.deployments < 1:
        parser.error("--deployments must be at least 1")
    try:
        return asyncio.run(run_all(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; everything the benchmark created was removed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
