"""GET /api/v1/ready: ready only when the database answers with this version's schema; both databases."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.fixtures.databases import PG_HOST, _admin
from tests.fixtures.engine import make_settings
from tests.fixtures.server_process import free_port

from seaway.bootstrap import Services, build_services
from seaway.engine.drain import Drain
from seaway.store.database import Database
from seaway.store.operational import migration_heads
from seaway.web.app import create_app


@contextlib.asynccontextmanager
async def ready_answer(url: str, data_dir: Path) -> AsyncIterator[tuple[httpx.Response, Services]]:
    services = build_services(make_settings(url, data_dir))
    try:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://seaway.test/api/v1") as client:
            yield await client.get("/ready"), services
    finally:
        await services.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each dialect that exists but was never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    import asyncio

    name = f"seaway_unmigrated_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_a_migrated_database_is_ready(db_url, tmp_path):
    async with ready_answer(db_url, tmp_path / "data") as (response, _):
        assert response.status_code == 200
        assert response.json() == {"status": "ready"}


async def test_a_database_that_was_never_migrated_is_not_ready(unmigrated_url, tmp_path):
    async with ready_answer(unmigrated_url, tmp_path / "data") as (response, _):
        assert response.status_code == 503
        error = response.json()["error"]
    assert error["code"] == "schema_not_current"
    assert error["current"] == [] and error["head"] == list(migration_heads())
    assert "never created" in error["message"] and "seaway migrate" in error["message"]


async def set_revision(url: str, revision: str) -> None:
    database = Database(url, pool_size=1)
    try:
        async with database.connect() as conn:
            await conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        await database.dispose()


async def test_a_database_behind_this_version_is_not_ready(db_url, tmp_path):
    await set_revision(db_url, "an-older-one")
    try:
        async with ready_answer(db_url, tmp_path / "data") as (response, _):
            assert response.status_code == 503
            error = response.json()["error"]
    finally:  # alembic_version outlives the emptying of the PostgreSQL database between tests
        await set_revision(db_url, migration_heads()[0])

    assert error["code"] == "schema_not_current" and error["current"] == ["an-older-one"]
    assert "an-older-one" in error["message"]


async def test_a_database_that_does_not_answer_is_not_ready(tmp_path):
    nobody_listens = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/seaway"
    async with ready_answer(nobody_listens, tmp_path / "data") as (response, _):
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unreachable"


async def test_a_draining_server_is_not_ready_but_still_alive(db_url, tmp_path):
    services = build_services(make_settings(db_url, tmp_path / "data"))
    drain = Drain(services.worker, timeout=1)
    try:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://seaway.test/api/v1") as client:
            before = await client.get("/ready")
            drain.begin()
            during = await client.get("/ready")
            alive = await client.get("/health")
    finally:
        await services.close()

    assert before.status_code == 200
    assert during.status_code == 503 and during.json()["error"]["code"] == "draining"
    assert alive.status_code == 200
