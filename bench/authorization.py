"""What access control costs: appending to the audit chain, and authorizing a user with many scoped grants.

    python bench/authorization.py                 # SQLite and PostgreSQL
    python bench/authorization.py --only sqlite --transactions 500

Audit append, on each database, against one plain insert of the same row into a table of the same columns
(`bench_plain_events`, no chain), measured in the same run and interleaved round by round:

- **per transaction**: each event in a transaction of its own, one writer after the other (what an edge's
  command costs: the append's extra statements next to a commit);
- **in one transaction**: many events in one transaction (the statements alone, no commit);
- **8 concurrent writers**: every append takes the chain head until its commit, so audited writers queue
  where plain inserts commit side by side; this shows what that costs in throughput.

Authorization: `authorize()` for a user in 20 teams with 5 scoped roles each (100 grants, resolved with
`roles.grants_of`; the one that matches comes late) against an empty function with the same signature; and
what a request pays for it (decoding the user's 100 stored grants, then `authorize()`) against an in-process
`GET /api/v1/tasks/{id}` on SQLite. Aims (issue 10): an append costs < 1.5 plain inserts; authorization
adds < 5 % to a GET of a task at 500 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from orchestration import scratch_databases  # bench/ is on the path when this runs

from seaway.bootstrap import Services, build_services
from seaway.config.documents import load_text, parse_document
from seaway.domain.permissions import Permission, authorize
from seaway.domain.roles import grants_of
from seaway.domain.users import Team, TeamRole, User
from seaway.engine.audit_checkpoints import verify_log
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import create_deployment
from seaway.engine.releases import create_release
from seaway.security.tokens import hash_token, new_api_key
from seaway.settings import Settings
from seaway.store.access import grants_from_text, grants_to_json
from seaway.store.audit import AuditEvent, event_values
from seaway.store.tables import audit_events
from seaway.web.app import create_app

APPEND_AIM = 1.5  # plain inserts per append
GET_SHARE_AIM = 0.05  # of a GET of a task
REQUESTS_PER_SECOND = 500
ROUNDS = 5
WRITERS = 8

_plain_metadata = sa.MetaData()
PLAIN = sa.Table("bench_plain_events", _plain_metadata, *(c._copy() for c in audit_events.columns))
sa.Index("ix_bench_plain_events_entity", PLAIN.c.entity, PLAIN.c.entity_id)
_PLAIN_INSERT = sa.insert(PLAIN)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def an_event(n: int) -> AuditEvent:
    return AuditEvent(
        at=datetime.now(UTC),
        action="deployment.created",
        entity="deployment",
        entity_id=f"Deployments-{n}",
        actor_user_id=7,
        actor="productiondeployer",
        channel="api",
        ip="192.0.2.10",
        user_agent="seaway-cli/0.1",
        details={"release": "1.0.3", "environment": "Prod"},
        actor_kind="user",
        auth="api-key",
        project="Random Quotes",
        environment="Prod",
    )


def plain_row(n: int) -> dict[str, Any]:
    return {**event_values(an_event(n)), "prev_hash": "0" * 64, "hash": "f" * 64}


# -- audit append --------------------------------------------------------------------------------------


@dataclass
class AppendResult:
    database: str
    plain_tx: float  # seconds per transaction
    audit_tx: float
    plain_stmt: float  # seconds per insert inside one transaction
    audit_stmt: float
    plain_concurrent: float  # inserts/s with WRITERS writers
    audit_concurrent: float
    verified: bool

    @property
    def tx_ratio(self) -> float:
        return self.audit_tx / self.plain_tx


async def timed(action: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def run_append(url: str, name: str, transactions: int) -> AppendResult:
    with tempfile.TemporaryDirectory(prefix="seaway-bench-") as data_dir:
        services = build_services(Settings(data_dir=Path(data_dir), database_url=url))
        try:
            await services.database.migrate()
            async with services.database.connect() as conn:
                await conn.run_sync(_plain_metadata.create_all)
            return await _measure_appends(services, name, transactions)
        finally:
            await services.close()


async def _measure_appends(services: Services, name: str, transactions: int) -> AppendResult:
    store = services.store

    async def plain_each(count: int) -> None:
        for n in range(count):
            async with store.transaction() as uow:
                await uow.conn.execute(_PLAIN_INSERT, plain_row(n))

    async def audit_each(count: int) -> None:
        for n in range(count):
            async with store.transaction() as uow:
                await uow.audit.record(an_event(n))

    async def plain_batch(count: int) -> None:
        async with store.transaction() as uow:
            for n in range(count):
                await uow.conn.execute(_PLAIN_INSERT, plain_row(n))

    async def audit_batch(count: int) -> None:
        async with store.transaction() as uow:
            for n in range(count):
                await uow.audit.record(an_event(n))

    async def concurrently(each: Callable[[int], Awaitable[None]], count: int) -> None:
        await asyncio.gather(*(each(count // WRITERS) for _ in range(WRITERS)))

    await plain_each(20)  # warm the pool and the statement caches
    await audit_each(20)
    per_tx: dict[str, list[float]] = {"plain": [], "audit": []}
    per_stmt: dict[str, list[float]] = {"plain": [], "audit": []}
    concurrent: dict[str, list[float]] = {"plain": [], "audit": []}
    batch = transactions * 4
    for round_ in range(ROUNDS):
        order = [("plain", plain_each, plain_batch), ("audit", audit_each, audit_batch)]
        if round_ % 2:
            order.reverse()  # neither always runs first
        for label, each, many in order:
            per_tx[label].append(await timed(lambda each=each: each(transactions)) / transactions)
            per_stmt[label].append(await timed(lambda many=many: many(batch)) / batch)
            elapsed = await timed(lambda each=each: concurrently(each, transactions))
            concurrent[label].append(transactions / elapsed)
    async with store.reading() as uow:
        result = await verify_log(uow, {})
    return AppendResult(
        name,
        statistics.median(per_tx["plain"]),
        statistics.median(per_tx["audit"]),
        statistics.median(per_stmt["plain"]),
        statistics.median(per_stmt["audit"]),
        statistics.median(concurrent["plain"]),
        statistics.median(concurrent["audit"]),
        result.intact,
    )


def print_append(result: AppendResult) -> None:
    print(f"\n== audit append on {result.database} (median of {ROUNDS} rounds) ==")
    print(f"{'':32} {'plain insert':>14} {'audit append':>14} {'ratio':>7}")
    rows = [
        ("per transaction (ms)", result.plain_tx * 1e3, result.audit_tx * 1e3, result.tx_ratio),
        (
            "in one transaction (µs/event)",
            result.plain_stmt * 1e6,
            result.audit_stmt * 1e6,
            result.audit_stmt / result.plain_stmt,
        ),
        (
            f"{WRITERS} concurrent writers (events/s)",
            result.plain_concurrent,
            result.audit_concurrent,
            result.plain_concurrent / result.audit_concurrent,
        ),
    ]
    for label, plain, audit, ratio in rows:
        print(f"{label:32} {plain:14.2f} {audit:14.2f} {ratio:6.2f}x")
    print(f"chain verifies after the run: {'yes' if result.verified else 'NO'}")
    print(
        f"verdict: an append costs {result.tx_ratio:.2f} plain inserts per transaction "
        f"(aim < {APPEND_AIM}): {verdict(result.tx_ratio < APPEND_AIM and result.verified)}"
    )


# -- authorization ---------------------------------------------------------------------------------------

ROLES = ("project-viewer", "project-contributor", "project-lead", "project-deployer", "deployment-creator")
USERNAME = "manyteams"
PROJECT, ENVIRONMENT = "Project 19-3", "Env 3"  # matched by the last team's project-deployer role only


def many_teams() -> list[Team]:
    return [
        Team(
            f"Team {t}",
            (USERNAME, "someone else"),
            tuple(TeamRole(role, (f"Env {r}",), (f"Project {t}-{r}",)) for r, role in enumerate(ROLES)),
        )
        for t in range(20)
    ]


def empty(user: User | None, permission: Permission, project: str | None, environment: str | None) -> None:
    return None


def per_call(function: Callable[[], object], calls: int) -> float:
    """Best seconds per call over a few runs."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - started) / calls)
    return best


async def get_task_seconds(requests: int) -> float:
    """Median seconds of an in-process `GET /api/v1/tasks/{id}` as an administrator, on SQLite."""
    with tempfile.TemporaryDirectory(prefix="seaway-bench-") as data_dir:
        services = build_services(Settings(data_dir=Path(data_dir)))
        try:
            await services.database.migrate()
            document = parse_document(
                load_text(
                    "environments: [Dev]\nprojects:\n  - name: Quotes\n    process:\n      - {name: Say, type: noop}\n"
                )
            )
            key = new_api_key()
            now = services.clock.now()
            async with services.store.transaction() as uow:
                await apply_document(uow, document, actor=None, now=now)
                admin = await uow.users.add(User("admin", is_admin=True), now)
                assert admin.id is not None
                await uow.users.add_api_key(admin.id, "bench", hash_token(key), now)
                release = await create_release(uow, await uow.projects.get_by_name("Quotes"), now=now, user=None)
                created = await create_deployment(uow, release, "Dev", now=now, user=None)
            path = f"/api/v1/tasks/ServerTasks-{created.deployment.task_id}"
            transport = httpx.ASGITransport(app=create_app(services))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers={"X-Seaway-ApiKey": key}
            ) as client:
                for _ in range(50):
                    assert (await client.get(path)).status_code == 200
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    await client.get(path)
                    times.append(time.perf_counter() - started)
            return statistics.median(times)
        finally:
            await services.close()


def run_authorization(calls: int, requests: int) -> bool:
    grants = grants_of(USERNAME, many_teams(), [])
    assert len(grants) == 100
    user = User(USERNAME, grants=grants)
    stored = json.dumps(grants_to_json(grants))  # as the user's row holds them
    authorize(user, Permission.DEPLOYMENT_CREATE, PROJECT, ENVIRONMENT)  # allowed, or this raises

    baseline = per_call(lambda: empty(user, Permission.DEPLOYMENT_CREATE, PROJECT, ENVIRONMENT), calls)
    allowed = per_call(lambda: authorize(user, Permission.DEPLOYMENT_CREATE, PROJECT, ENVIRONMENT), calls)

    def decode() -> User:  # what reading the user's row does with the grants stored on it
        return User(USERNAME, grants=grants_from_text(stored))

    decoding = per_call(decode, max(calls // 50, 100))
    get = asyncio.run(get_task_seconds(requests))
    request_cost = decoding + allowed
    share = request_cost / get
    print(f"\n== authorize(): {USERNAME} in 20 teams × 5 scoped roles = {len(grants)} grants ==")
    print(f"empty function call:                           {baseline * 1e9:10.0f} ns")
    print(f"authorize(), allowed by grant 99 of 100:       {allowed * 1e9:10.0f} ns  ({allowed / baseline:.0f}x)")
    print(f"decoding the 100 grants stored on the user row: {decoding * 1e6:9.1f} µs")
    print(f"GET /api/v1/tasks/{{id}} in process, SQLite:      {get * 1e6:9.1f} µs (median)")
    print(f"authorize() alone: {allowed / get:.1%} of the GET; with the decoding: {share:.1%}")
    print(f"at {REQUESTS_PER_SECOND} requests/s both take {request_cost * REQUESTS_PER_SECOND:.1%} of one core")
    met = share < GET_SHARE_AIM
    print(f"verdict: authorization adds {share:.1%} to a GET of a task (aim < {GET_SHARE_AIM:.0%}): {verdict(met)}")
    return met


async def run_appends(args: argparse.Namespace) -> list[AppendResult]:
    results = []
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="seaway-bench-db-") as tmp:
            results.append(await run_append(f"sqlite:///{tmp}/bench.db", "SQLite", args.transactions))
    if args.only != "sqlite":
        with scratch_databases() as scratch:  # dropped at the end, also on error
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{scratch('audit')}"
            results.append(await run_append(url, "PostgreSQL", args.transactions))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=400, help="transactions per measurement and round")
    parser.add_argument("--calls", type=int, default=200_000, help="authorize() calls per run")
    parser.add_argument("--requests", type=int, default=1000, help="GETs of a task")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="audit append on one database only")
    args = parser.parse_args()
    met = True
    for result in asyncio.run(run_appends(args)):
        print_append(result)
        met = met and result.verified and result.tx_ratio < APPEND_AIM
    met = run_authorization(args.calls, args.requests) and met
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
