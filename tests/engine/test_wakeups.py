"""Idle workers wake up when another node enqueues work, through PostgreSQL's LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio

from tests.fixtures.engine import apply_yaml, deploy, make_settings, project_yaml, release_of

from seaway.bootstrap import build_services
from seaway.domain.states import TaskState


async def test_a_worker_on_another_node_is_woken_by_postgresql_notify(postgres_database, tmp_path):
    from tests.fixtures.databases import truncate_all

    await truncate_all(postgres_database)
    # A poll interval of an hour: only the notification can make node B start the deployment.
    node_a = build_services(make_settings(postgres_database, tmp_path / "a", poll_seconds=3600))
    node_b = build_services(make_settings(postgres_database, tmp_path / "b", poll_seconds=3600))
    finished = asyncio.Event()

    async def on_finished(uow, run) -> None:
        if run.task.state is TaskState.SUCCESS:
            uow.after_commit(finished.set)

    node_b.orchestrator.on_finished.append(on_finished)
    stop = asyncio.Event()
    worker = asyncio.create_task(node_b.worker.run_forever(stop))
    try:
        await apply_yaml(node_a, project_yaml("Quotes", "      - {name: One, type: noop}\n"))
        await asyncio.wait_for(node_b.worker.idle.wait(), timeout=30)
        await deploy(node_a, await release_of(node_a, "Quotes"), "Dev")
        await asyncio.wait_for(finished.wait(), timeout=30)
    finally:
        stop.set()
        await worker
        await node_a.close()
        await node_b.close()
