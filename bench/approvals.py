"""Approvals at scale: park many deployments at a gate, then decide some of them.

Two gates: a manual intervention step (`interventions`), and a change request of an approval policy, which
holds the deployment queued before it starts (`change-requests`). Measures, on SQLite and PostgreSQL:
  (a) memory per waiting deployment: the process's resident set size before and after parking N
      deployments (each waiting deployment should cost rows, not memory); for change requests also the
      database's bytes before and after, over N;
  (b) the time from the approval POST returning to the next (for a change request: the first) step
      starting, p50/p99 over D decisions, with the worker running as in `seaway server` (woken by the
      decision's commit).

Run: .venv/bin/python bench/approvals.py [--parked 2000] [--decisions 200] [--only sqlite|postgresql]
     [--gate interventions|change-requests|both]
Figures are compared with a baseline measured in the same run: the time of one empty commit on the same
database (so a p99 of 20 commits means the same thing on a busy machine as on an idle one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from seaway.bootstrap import Services, build_services
from seaway.config.documents import load_text, parse_document
from seaway.domain.process import StepType
from seaway.domain.states import TaskState
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import create_deployment
from seaway.engine.releases import create_release
from seaway.security.tokens import hash_token, new_api_key
from seaway.settings import Settings
from seaway.steps.base import StepContext, StepOutcome, Succeeded
from seaway.web.app import create_app

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

SPACE = """
environments: [Prod]
users:
  - {username: deployer, display_name: Dee Ployer, email: deployer@example.org}
  - {username: alice, display_name: Alice Approver, email: alice@example.org}
teams:
  - {name: Approvers, members: [alice]}
  - {name: Deployers, members: [deployer, alice], roles: [{role: project-deployer}]}
projects:
"""
PROJECT = """
  - name: Gate {n}
    process:
      - name: Sign Off
        type: manual-intervention
        instructions: "Approve #{{Octopus.Release.Number}} for #{{Octopus.Environment.Name}}"
        responsible_teams: [Approvers]
        email_links: true
      - {{name: After, type: noop}}
"""
# Deployments of one project to one environment run one at a time; spread them over a few projects.
PROJECTS = 20

# The change request gate: one policy on Prod, one approver; the process has no gate step of its own.
POLICY_SPACE = """
approval_policies:
  - name: Prod change control
    scope: {environments: [Prod]}
    approvers: {teams: [Approvers]}
    minimum: 1
"""
WARM_UP = 50
GATED_PROJECT = """
  - name: {prefix} {n}
    process:
      - {{name: First, type: noop}}
"""


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# Aims, as the engine issue sets them: the latency in units of one empty commit of the same run.
P99_AIM_COMMITS = 30.0
PARKING_AIM = 100.0  # deployments/s to the gate on SQLite, links and emails included
MEMORY_AIM_KB = 5.0


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def commit_baseline(services: Services, rounds: int = 200) -> float:
    """Seconds per empty write transaction on this database, measured now."""
    async with services.store.transaction() as uow:
        await uow.conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_probe (n INTEGER)"))
    started = time.perf_counter()
    for n in range(rounds):
        async with services.store.transaction() as uow:
            await uow.conn.execute(sa.text("INSERT INTO bench_probe (n) VALUES (:n)"), {"n": n})
    return (time.perf_counter() - started) / rounds


class StepStartRecorder:
    """The `noop` step, recording when each task's step after the gate starts."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}
        self.events: dict[int, asyncio.Event] = {}

    def event(self, task_id: int) -> asyncio.Event:
        return self.events.setdefault(task_id, asyncio.Event())

    async def __call__(self, ctx: StepContext) -> StepOutcome:
        self.started[ctx.task_id] = time.perf_counter()
        self.event(ctx.task_id).set()
        return Succeeded()


async def park(
    services: Services, parked: int, *, gated: bool = False, already: int = 0, prefix: str = "Gate"
) -> list[int]:
    """N deployments, each created in its own transaction, then run until nothing is due: parked at the
    manual intervention, or (`gated`) queued behind their change request with its links emailed. `already`:
    how many an earlier call parked; `prefix`: the projects' names (a newer release of the same project would
    supersede the requests already waiting)."""
    async with services.store.transaction() as uow:
        projects = "".join((GATED_PROJECT if gated else PROJECT).format(n=n, prefix=prefix) for n in range(PROJECTS))
        text = SPACE + projects + (POLICY_SPACE if gated else "")
        await apply_document(uow, parse_document(load_text(text)), actor=None, now=services.clock.now())
        deployer = await uow.users.get_by_username("deployer")
        releases = [
            await create_release(
                uow, await uow.projects.get_by_name(f"{prefix} {n}"), now=services.clock.now(), user=None
            )
            for n in range(PROJECTS)
        ]
    task_ids = []
    for i in range(parked):
        async with services.store.transaction() as uow:
            created = await create_deployment(
                uow, releases[i % PROJECTS], "Prod", now=services.clock.now(), user=deployer
            )
        task_ids.append(created.task.id)
    await services.worker.run_until_idle()
    async with services.store.transaction() as uow:
        waiting = await uow.tasks.list(
            state=TaskState.QUEUED if gated else TaskState.WAITING, limit=parked + already + 10
        )
    if len(waiting) != parked + already:
        raise RuntimeError(f"expected {parked + already} waiting deployments, found {len(waiting)}")
    return task_ids


async def pending_by_task(services: Services, table: str) -> dict[int, int]:
    """The ids of the pending rows of `table` (interruptions or change_requests), by their task."""
    async with services.store.transaction() as uow:
        rows = await uow.conn.execute(sa.text(f"SELECT id, task_id FROM {table} WHERE state = 'pending'"))
        return {row.task_id: row.id for row in rows}


async def database_bytes(services: Services, url: str) -> int:
    """What the database holds now: SQLite's used pages (as the connection sees the database, its WAL
    included); PostgreSQL's tables with their indexes and TOAST (`pg_total_relation_size`)."""
    async with services.store.transaction() as uow:
        if url.startswith("sqlite"):
            pages = (await uow.conn.execute(sa.text("PRAGMA page_count"))).scalar_one()
            free = (await uow.conn.execute(sa.text("PRAGMA freelist_count"))).scalar_one()
            size = (await uow.conn.execute(sa.text("PRAGMA page_size"))).scalar_one()
            return int((pages - free) * size)
        query = (
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        return int((await uow.conn.execute(sa.text(query))).scalar_one())


async def approve_each(
    services: Services, recorder: StepStartRecorder, calls: list[tuple[int, str]], body: dict[str, str]
) -> list[float]:
    """As alice, POST `body` to each path in turn, with the worker running as in `seaway server`; the
    seconds from each response returning to the recorded step of its task starting."""
    key = new_api_key()
    async with services.store.transaction() as uow:
        alice = await uow.users.get_by_username("alice")
        assert alice.id is not None
        await uow.users.add_api_key(alice.id, "bench", hash_token(key), services.clock.now())
    stop = asyncio.Event()
    worker = asyncio.create_task(services.worker.run_forever(stop))
    latencies: list[float] = []
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench/api/v1", headers={"X-Seaway-ApiKey": key}
    ) as api:
        for task_id, path in calls:
            event = recorder.event(task_id)
            response = await api.post(path, json=body)
            returned = time.perf_counter()
            response.raise_for_status()
            await asyncio.wait_for(event.wait(), timeout=30)
            latencies.append(recorder.started[task_id] - returned)
    stop.set()
    await worker
    return latencies


@contextlib.asynccontextmanager
async def bench_services(url: str) -> AsyncIterator[tuple[Services, StepStartRecorder, float]]:
    """Migrated services on `url` whose `noop` step records when it starts, and the commit baseline."""
    with tempfile.TemporaryDirectory(prefix="seaway-bench-") as data_dir:
        services = build_services(Settings(data_dir=Path(data_dir), database_url=url, poll_seconds=5.0))
        recorder = StepStartRecorder()
        services.orchestrator.executors[StepType.NOOP] = recorder
        try:
            await services.database.migrate()
            yield services, recorder, await commit_baseline(services)
        finally:
            await services.close()


async def run_one(url: str, label: str, parked: int, decisions: int) -> dict[str, float]:
    async with bench_services(url) as (services, recorder, baseline):
        gc.collect()
        before = rss_bytes()
        started = time.perf_counter()
        task_ids = await park(services, parked)
        park_seconds = time.perf_counter() - started
        gc.collect()
        after = rss_bytes()
        pending = await pending_by_task(services, "interruptions")

        latencies = await approve_each(
            services,
            recorder,
            [(task_id, f"/interruptions/{pending[task_id]}/submit") for task_id in task_ids[:decisions]],
            {"result": "proceed", "notes": "ok"},
        )
    per_waiting = (after - before) / parked
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"\n== {label}: {parked} deployments parked at a manual intervention, {decisions} approved ==")
    print(f"baseline: one empty commit takes {baseline * 1000:.2f} ms")
    parking_rate = parked / park_seconds
    sqlite = url.startswith("sqlite")
    parking_aim = f" (aim >= {PARKING_AIM:.0f}/s on SQLite: {verdict(parking_rate >= PARKING_AIM)})" if sqlite else ""
    print(
        f"parking: {park_seconds:.1f} s ({parking_rate:.0f} deployments/s to the gate, incl. links + email)"
        f"{parking_aim}"
    )
    print(
        f"memory: RSS {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB = {per_waiting / 1024:.2f} KB per waiting "
        f"deployment (aim <= {MEMORY_AIM_KB:.0f} KB: {verdict(per_waiting / 1024 <= MEMORY_AIM_KB)})"
    )
    print(
        f"approval POST returned -> next step started: p50 {p50 * 1000:.1f} ms ({p50 / baseline:.1f} commits), "
        f"p99 {p99 * 1000:.1f} ms ({p99 / baseline:.1f} commits); mean {statistics.mean(latencies) * 1000:.1f} ms "
        f"(aim p99 <= {P99_AIM_COMMITS:.0f} commits: {verdict(p99 / baseline <= P99_AIM_COMMITS)})"
    )
    return {"per_waiting_kb": per_waiting / 1024, "p50_ms": p50 * 1000, "p99_ms": p99 * 1000}


async def run_change_requests(url: str, label: str, parked: int, decisions: int) -> dict[str, float]:
    async with bench_services(url) as (services, recorder, baseline):
        # Warm up first (the space, compiled statements, templates): what the first deployments cost once
        # is not what each waiting one costs. They are approved last, if at all.
        warm = await park(services, WARM_UP, gated=True, prefix="Warm-up")
        gc.collect()
        before, bytes_before = rss_bytes(), await database_bytes(services, url)
        started = time.perf_counter()
        task_ids = await park(services, parked, gated=True, already=WARM_UP)
        park_seconds = time.perf_counter() - started
        gc.collect()
        after, bytes_after = rss_bytes(), await database_bytes(services, url)
        pending = await pending_by_task(services, "change_requests")
        if len(pending) != parked + len(warm):
            raise RuntimeError(f"expected {parked + len(warm)} pending change requests, found {len(pending)}")

        latencies = await approve_each(
            services,
            recorder,
            [(task_id, f"/change-requests/SEA-{pending[task_id]}/approve") for task_id in task_ids[:decisions]],
            {"note": "ok"},
        )
    per_waiting = (after - before) / parked
    stored = (bytes_after - bytes_before) / parked
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"\n== {label}: {parked} deployments waiting on change requests, {decisions} approved ==")
    print(f"baseline: one empty commit takes {baseline * 1000:.2f} ms")
    print(f"queuing: {park_seconds:.1f} s ({parked / park_seconds:.0f} deployments/s, change request + links + email)")
    print(
        f"memory: RSS {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB = {per_waiting / 1024:.2f} KB per waiting "
        f"deployment (aim <= {MEMORY_AIM_KB:.0f} KB: {verdict(per_waiting / 1024 <= MEMORY_AIM_KB)})"
    )
    print(
        f"database: {bytes_before / 2**20:.1f} MiB -> {bytes_after / 2**20:.1f} MiB = {stored / 1024:.2f} KB per "
        "waiting deployment (its deployment, task, change request, two links, log lines, audit event and the "
        "approver's email in the outbox)"
    )
    print(
        f"approval POST returned -> first step started: p50 {p50 * 1000:.1f} ms ({p50 / baseline:.1f} commits), "
        f"p99 {p99 * 1000:.1f} ms ({p99 / baseline:.1f} commits); mean {statistics.mean(latencies) * 1000:.1f} ms "
        f"(aim p99 <= {P99_AIM_COMMITS:.0f} commits: {verdict(p99 / baseline <= P99_AIM_COMMITS)})"
    )
    return {"per_waiting_kb": per_waiting / 1024, "stored_kb": stored / 1024, "p50_ms": p50 * 1000}


async def run_gates(url: str, label: str, parked: int, decisions: int, gate: str) -> None:
    if gate in ("interventions", "both"):
        await run_one(url, label, parked, decisions)
    if gate in ("change-requests", "both"):
        await run_change_requests(url, label, parked, decisions)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parked", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--gate", choices=["interventions", "change-requests", "both"], default="both")
    args = parser.parse_args()
    if args.decisions > args.parked:
        parser.error("--decisions cannot exceed --parked")
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="seaway-bench-db-") as tmp:
            await run_gates(f"sqlite:///{tmp}/bench.db", "SQLite", args.parked, args.decisions, args.gate)
    if args.only != "sqlite":
        name = f"seaway_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = await asyncpg.connect(PG_ADMIN)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            try:
                pg_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
                await run_gates(pg_url, "PostgreSQL", args.parked, args.decisions, args.gate)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
