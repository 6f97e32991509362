"""Page benchmark: the dashboard and a project's pages with 200 projects × 10 environments and 100,000 past
deployments, against `/api/v1/health` in the same run, on SQLite and PostgreSQL.

    .venv/bin/python bench/ui.py [--requests 300] [--only sqlite|postgresql]

Seeds the space with one `apply` (200 projects, 10 environments in one lifecycle), then inserts 50 releases
per project, each deployed to all 10 environments and finished (100,000 deployments and tasks), in bulk
with SQLAlchemy Core: what the pages read is those rows, however they were made. An administrator signs in
through the sign-in form; the requests go through the app in this process (httpx's ASGI transport), one at
a time, round-robin over the endpoints so that load from others on the machine drifts over all of them
alike. Figures: p50 and p99 server time per endpoint, p99 as a ratio to health's (aim <= 10x), and the SQL
statements one request issues.

Everything created (a temporary directory, a scratch database `seaway_bench_<pid>_ui`) is removed at the end,
also on error or Ctrl-C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy import event

from seaway.bootstrap import build_services
from seaway.config.documents import load_text, parse_document
from seaway.domain.users import User
from seaway.engine.configuration import apply_document
from seaway.security.passwords import hash_password
from seaway.settings import Settings
from seaway.store.tables import deployments, environments, projects, releases, tasks
from seaway.web.app import create_app

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRATCH_DB = f"seaway_bench_{os.getpid()}_ui"
PROJECTS = 200
ENVIRONMENTS = [f"Env{i:02d}" for i in range(1, 11)]
RELEASES_PER_PROJECT = 50  # x 10 environments x 200 projects = 100,000 deployments
P99_FACTOR_AIM = 10.0
PASSWORD = "bench-password-1"
CHUNK = 5_000


def space_document() -> str:
    text = f"environments: [{', '.join(ENVIRONMENTS)}]\n"
    text += "lifecycles:\n  - name: All\n    phases:\n      - {name: All, environments: [" + ", ".join(ENVIRONMENTS)
    text += "], optional: true}\nprojects:\n"
    for p in range(PROJECTS):
        text += f"  - name: Service {p:03d}\n    lifecycle: All\n    process:\n      - {{name: Run, type: noop}}\n"
    return text


async def seed(settings: Settings) -> None:
    services = build_services(settings)
    try:
        await services.database.migrate()
        now = services.clock.now()
        async with services.store.transaction() as uow:
            await apply_document(uow, parse_document(load_text(space_document())), actor=None, now=now)
            admin = await uow.users.add(User("bench", "Bench Admin", is_admin=True), now)
            assert admin.id is not None
            await uow.users.set_password_hash(admin.id, hash_password(PASSWORD))
        async with services.store.transaction() as uow:
            project_ids = [r.id for r in await uow.conn.execute(sa.select(projects.c.id).order_by(projects.c.id))]
            env_ids = [r.id for r in await uow.conn.execute(sa.select(environments.c.id).order_by(environments.c.id))]
        release_rows = [
            {"id": n * RELEASES_PER_PROJECT + r + 1, "project_id": project_id, "version": f"1.0.{r}",
             "version_key": f"1.0.{r}", "notes": "", "process": [], "variables": [], "packages": [],
             "created_at": now - timedelta(days=RELEASES_PER_PROJECT - r), "channel": "Default"}
            for n, project_id in enumerate(project_ids)
            for r in range(RELEASES_PER_PROJECT)
        ]  # fmt: skip
        deployment_rows, task_rows = [], []
        for release in release_rows:
            for env_id in env_ids:
                number = len(deployment_rows) + 1
                at = release["created_at"] + timedelta(minutes=number % 600)
                deployment_rows.append(
                    {"id": number, "release_id": release["id"], "project_id": release["project_id"],
                     "environment_id": env_id, "created_at": at, "prompted_variables": {}, "comments": ""}
                )  # fmt: skip
                task_rows.append(
                    {"id": number, "deployment_id": number, "state": "success" if number % 20 else "failed",
                     "queued_at": at, "started_at": at, "finished_at": at + timedelta(seconds=30)}
                )  # fmt: skip
        for table, rows in ((releases, release_rows), (deployments, deployment_rows), (tasks, task_rows)):
            for start in range(0, len(rows), CHUNK):
                async with services.store.transaction() as uow:
                    await uow.conn.execute(table.insert(), rows[start : start + CHUNK])
        if settings.resolved_database_url().startswith("postgresql"):
            async with services.store.transaction() as uow:
                for table in (releases, deployments, tasks):  # the ids were given: move the sequences past them
                    await uow.conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
                await uow.conn.execute(sa.text("ANALYZE"))
        print(f"seeded {len(project_ids)} projects x {len(env_ids)} environments, {len(release_rows)} releases, "
              f"{len(deployment_rows)} deployments", flush=True)  # fmt: skip
    finally:
        await services.close()


class StatementCounter:
    def __init__(self) -> None:
        self.statements = 0

    def _on_statement(self, *_args: Any) -> None:
        self.statements += 1

    def __enter__(self) -> StatementCounter:
        event.listen(sa.Engine, "before_cursor_execute", self._on_statement)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(sa.Engine, "before_cursor_execute", self._on_statement)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(settings: Settings, requests: int) -> dict[str, tuple[float, float, int]]:
    """Per endpoint: (p50 ms, p99 ms, statements per request)."""
    services = build_services(settings)
    endpoints = {
        "health": "/api/v1/health",
        "dashboard": "/",
        "project": "/projects/Projects-100",
        "project releases": "/projects/Projects-100/releases",
        "release": "/releases/Releases-5000",
    }
    try:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
            page = await client.get("/signin")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            signed = await client.post(
                "/signin", data={"csrf_token": token, "username": "bench", "password": PASSWORD, "next": "/"},
                headers={"Origin": settings.public_url.rstrip("/")},
            )  # fmt: skip
            if signed.status_code != 303:
                raise RuntimeError(f"sign-in failed: {signed.status_code} {signed.text[:500]}")
            counted = {}
            for name, path in endpoints.items():
                for _ in range(5):  # warm up: connections, caches, compiled statements
                    (await client.get(path)).raise_for_status()
                with StatementCounter() as counter:
                    (await client.get(path)).raise_for_status()
                counted[name] = counter.statements
            times: dict[str, list[float]] = {name: [] for name in endpoints}
            for _ in range(requests):
                for name, path in endpoints.items():
                    started = time.perf_counter()
                    response = await client.get(path)
                    times[name].append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code}")
    finally:
        await services.close()
    return {n: (statistics.median(t), percentile(t, 0.99), counted[n]) for n, t in times.items()}


def report(label: str, results: dict[str, tuple[float, float, int]]) -> None:
    health_p99 = results["health"][1]
    print(f"\n== {label} ==")
    print(f"{'endpoint':<18} {'p50 ms':>8} {'p99 ms':>8} {'p99 / health':>13} {'statements':>11}")
    for name, (p50, p99, statements) in results.items():
        ratio = p99 / health_p99
        mark = (
            "" if name == "health" else ("  ok" if ratio <= P99_FACTOR_AIM else f"  above the {P99_FACTOR_AIM:g}x aim")
        )
        print(f"{name:<18} {p50:>8.2f} {p99:>8.2f} {ratio:>12.1f}x {statements:>11}{mark}")


def bench_database(label: str, settings: Settings, requests: int) -> None:
    started = time.perf_counter()
    asyncio.run(seed(settings))
    print(f"seeding took {time.perf_counter() - started:.1f} s", flush=True)
    report(label, asyncio.run(measure(settings, requests)))


async def pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint (default 300)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    public = "http://bench.test"
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="seaway-bench-") as tmp:
            settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/seaway.db", public_url=public)
            bench_database("SQLite", settings, args.requests)
    if args.only != "sqlite":
        asyncio.run(pg_admin(f'CREATE DATABASE "{SCRATCH_DB}"'))
        try:
            with tempfile.TemporaryDirectory(prefix="seaway-bench-") as tmp:
                url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{SCRATCH_DB}"
                bench_database(
                    "PostgreSQL", Settings(data_dir=Path(tmp), database_url=url, public_url=public), args.requests
                )
        finally:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
