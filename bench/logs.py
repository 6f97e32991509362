"""A script step that prints a million lines, through the real engine, on SQLite and PostgreSQL.

Measures, per database:
  - lines/s stored: N over the time from the worker taking the deployment until the task has ended (every
    line committed), compared with a baseline measured in the same run on the same database: a batched
    `executemany` (5,000 rows per transaction, through the driver itself) of the same N lines into a table
    shaped like `task_logs`, once before and once after the engine runs (the mean is used);
  - the growth of the process's resident set size (VmRSS in /proc/self/status, sampled every 20 ms by a
    thread) during the run over its size just before;
  - that every line is stored, once, in order (the step's lines read back through the store are 1..N).

Aims: lines/s ≥ 0.25 × the baseline; RSS growth < 64 MB.

Each engine run is a fresh child process (so one run's freed memory does not flatter the next one's
growth).

Run: .venv/bin/python bench/logs.py [--lines 1000000] [--only sqlite|postgresql]
Everything it creates is removed at the end: a temporary directory and scratch databases seaway_bench_<pid>_*.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from seaway.bootstrap import build_services
from seaway.config.documents import load_text, parse_document
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import create_deployment
from seaway.engine.releases import create_release
from seaway.settings import Settings

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BASELINE_BATCH = 5_000
THROUGHPUT_AIM = 0.25
RSS_AIM_MB = 64.0

SPACE = """
environments: [Prod]
projects:
  - name: Chatty
    process:
      - {{name: Print, type: script, script: "seq -f 'line %.0f' 1 {lines}"}}
"""


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class RssSampler(threading.Thread):
    """The largest resident set size seen while it runs: a thread, so a busy event loop cannot hide a peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = rss_bytes()
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.wait(0.02):
            self.peak = max(self.peak, rss_bytes())

    def stop(self) -> int:
        self._finished.set()
        self.join()
        return max(self.peak, rss_bytes())


async def engine_run(url: str, data_dir: Path, lines: int, flusher: str) -> dict[str, Any]:
    services = build_services(Settings(data_dir=data_dir, database_url=url, poll_seconds=5.0))
    try:
        await services.database.migrate()
        async with services.store.transaction() as uow:
            await apply_document(
                uow, parse_document(load_text(SPACE.format(lines=lines))), actor=None, now=services.clock.now()
            )
            release = await create_release(
                uow, await uow.projects.get_by_name("Chatty"), now=services.clock.now(), user=None
            )
            created = await create_deployment(uow, release, "Prod", now=services.clock.now(), user=None)
        task_id = created.task.id
        gc.collect()
        before = rss_bytes()
        sampler = RssSampler()
        sampler.start()
        cpu_started, started = time.process_time(), time.perf_counter()
        await services.worker.run_until_idle()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        peak = sampler.stop()
        async with services.store.reading() as uow:
            task = await uow.tasks.get(task_id)
        problems = await check_lines(services, task_id, lines)
        if str(task.state) != "success":
            problems.insert(0, f"the task ended {task.state}: {task.error}")
        return {
            "seconds": seconds,
            "cpu": cpu,
            "rss_before": before,
            "rss_growth": peak - before,
            "problems": problems,
        }
    finally:
        await services.close()


async def check_lines(services: Any, task_id: int, lines: int) -> list[str]:
    """Every line of the step ("line 1" to "line N") once and in order, nothing on stderr, and besides them
    only the engine's few lines about the task and the step."""
    expected, engine_lines, after, problems = 1, 0, 0, []
    while True:
        async with services.store.reading() as uow:
            page = await uow.tasks.log(task_id, after_id=after, limit=10_000)
        if not page:
            break
        after = page[-1].id or after
        for line in page:
            if not line.message.startswith("line "):
                engine_lines += 1
            elif line.level != "info" or line.message != f"line {expected}":
                problems.append(f"line {expected}: expected it, found {line.level} {line.message!r}")
                return problems
            else:
                expected += 1
    if expected != lines + 1:
        problems.append(f"{expected - 1} of {lines} lines stored")
    if engine_lines > 10:
        problems.append(f"{engine_lines} lines that the step did not print")
    return problems


# -- baselines, in the parent ------------------------------------------------------------------------


def baseline_rows(lines: int) -> list[tuple[Any, ...]]:
    at = datetime.now(UTC)
    return [(1, 0, at, "info", str(n)) for n in range(1, lines + 1)]


def sqlite_baseline(path: Path, lines: int) -> float:
    """Rows/s of batched executemany into a task_logs-shaped table, with the pragmas Seaway's store sets."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("DROP TABLE IF EXISTS bench_task_logs")
        conn.execute(
            "CREATE TABLE bench_task_logs (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL, "
            "step_index INTEGER, at DATETIME NOT NULL, level VARCHAR(10) NOT NULL, message TEXT NOT NULL)"
        )
        conn.execute("CREATE INDEX ix_bench_task_logs ON bench_task_logs (task_id, id)")
        rows = [(t, s, at.isoformat(sep=" "), lv, m) for t, s, at, lv, m in baseline_rows(lines)]
        started = time.perf_counter()
        for first in range(0, lines, BASELINE_BATCH):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO bench_task_logs (task_id, step_index, at, level, message) VALUES (?, ?, ?, ?, ?)",
                rows[first : first + BASELINE_BATCH],
            )
            conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_task_logs")
        return lines / seconds
    finally:
        conn.close()


async def postgresql_baseline(dsn: str, lines: int) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_task_logs")
        await conn.execute(
            "CREATE TABLE bench_task_logs (id SERIAL PRIMARY KEY, task_id INTEGER NOT NULL, step_index INTEGER, "
            "at TIMESTAMPTZ NOT NULL, level VARCHAR(10) NOT NULL, message TEXT NOT NULL)"
        )
        await conn.execute("CREATE INDEX ix_bench_task_logs ON bench_task_logs (task_id, id)")
        rows = baseline_rows(lines)
        started = time.perf_counter()
        for first in range(0, lines, BASELINE_BATCH):
            async with conn.transaction():
                await conn.executemany(
                    "INSERT INTO bench_task_logs (task_id, step_index, at, level, message) VALUES ($1, $2, $3, $4, $5)",
                    rows[first : first + BASELINE_BATCH],
                )
        seconds = time.perf_counter() - started
        await conn.execute("DROP TABLE bench_task_logs")
        return lines / seconds
    finally:
        await conn.close()


# -- the parent: databases, baselines, children, verdicts ----------------------------------------------


def run_child(url: str, data_dir: Path, lines: int, flusher: str) -> dict[str, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--child", url, str(data_dir), str(lines), flusher]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"the engine run failed:\n{done.stdout}{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def report(label: str, lines: int, baselines: list[float], runs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Prints the figures; returns each flusher's verdict: met, missed, or the problems found."""
    baseline = sum(baselines) / len(baselines)
    print(f"\n== {label}: a script step printing {lines} lines ==")
    print(
        f"baseline: batched executemany of the same lines, {BASELINE_BATCH} rows per transaction: "
        + " and ".join(f"{b:,.0f}" for b in baselines)
        + f" rows/s (mean {baseline:,.0f})"
    )
    verdicts = {}
    for flusher, run in runs.items():
        rate = lines / run["seconds"]
        ratio = rate / baseline
        growth = run["rss_growth"] / 2**20
        met = ratio >= THROUGHPUT_AIM and growth < RSS_AIM_MB
        verdicts[flusher] = "; ".join(run["problems"]) or ("met" if met else "missed")
        print(
            f"{flusher:>9}: {run['seconds']:.1f} s, {rate:,.0f} lines/s = {ratio:.2f} × baseline "
            f"(aim ≥ {THROUGHPUT_AIM}); "
            f"CPU {run['cpu'] / run['seconds']:.0%} of the wall time; RSS {run['rss_before'] / 2**20:.0f} MiB "
            f"+ {growth:.1f} MiB (aim < {RSS_AIM_MB:.0f}); "
            + ("all lines stored in order" if not run["problems"] else "; ".join(run["problems"]))
            + f" -> {verdicts[flusher].upper() if verdicts[flusher] != 'met' else 'met'}"
        )
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    flushers = ["engine"]  # one label per engine set-up measured; the figures are printed per label
    verdicts: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="seaway-bench-") as tmp:
        root = Path(tmp)
        if args.only != "postgresql":
            files = {flusher: root / f"sqlite-{flusher}.db" for flusher in flushers}
            # Before and after the engine runs, each time in a database file an engine run uses.
            baselines = [sqlite_baseline(files[flushers[0]], args.lines)]
            runs = {}
            for flusher, db in files.items():
                runs[flusher] = run_child(f"sqlite:///{db}", root / f"data-{flusher}", args.lines, flusher)
            baselines.append(sqlite_baseline(files[flushers[-1]], args.lines))
            verdicts["SQLite"] = report("SQLite (WAL, synchronous=FULL)", args.lines, baselines, runs)
        if args.only != "sqlite":
            verdicts["PostgreSQL"] = asyncio.run(postgresql(root, args.lines, flushers))
    print(
        f"\nverdict (aims: ≥ {THROUGHPUT_AIM} × baseline, < {RSS_AIM_MB:.0f} MiB of RSS growth, every line in order):"
    )
    for database, of_flushers in verdicts.items():
        print(f"  {database}: " + ", ".join(f"{flusher} {verdict}" for flusher, verdict in of_flushers.items()))
    # A missed aim is a figure to improve; a lost or misplaced line is a bug, and fails the run.
    broken = [v for of_flushers in verdicts.values() for v in of_flushers.values() if v not in ("met", "missed")]
    return 1 if broken else 0


async def postgresql(root: Path, lines: int, flushers: list[str]) -> dict[str, str]:
    name = f"seaway_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            baselines = [await postgresql_baseline(dsn, lines)]
            runs = {}
            for flusher in flushers:
                url = dsn.replace("postgresql://", "postgresql+asyncpg://")
                runs[flusher] = await asyncio.to_thread(run_child, url, root / f"pg-data-{flusher}", lines, flusher)
                await truncate_logs(dsn)
            baselines.append(await postgresql_baseline(dsn, lines))
            return report("PostgreSQL", lines, baselines, runs)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def truncate_logs(dsn: str) -> None:
    """Each run starts from an empty log table, as the SQLite runs (one database file each) do."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("TRUNCATE task_logs")
        await conn.execute("VACUUM ANALYZE task_logs")
    finally:
        await conn.close()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        _, _, child_url, child_dir, child_lines, child_flusher = sys.argv
        result = asyncio.run(engine_run(child_url, Path(child_dir), int(child_lines), child_flusher))
        print(json.dumps(result))
        sys.exit(0)
    sys.exit(main())
