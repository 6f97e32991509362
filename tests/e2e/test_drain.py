"""SIGTERM drains a real `seaway server`: it claims nothing more, lets the running step finish (or hands
it back when SEAWAY_DRAIN_SECONDS runs out), exits, and a restarted server finishes everything."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import sqlalchemy as sa
import yaml
from tests.fixtures.server_process import ServerProcess, admin_api_key, follow_until_end, free_port, seaway_env

from seaway.domain.ids import parse_id
from seaway.store.database import Database
from seaway.store.tables import tasks, work_items

pytestmark = pytest.mark.slow


class WatchedServer(ServerProcess):
    """A server process whose output lines can be awaited."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._new_line = threading.Condition()

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            with self._new_line:
                self.output.append(line)
                self._new_line.notify_all()

    def wait_for_line(self, text: str, timeout: float = 60) -> str:
        with self._new_line:
            found = self._new_line.wait_for(lambda: any(text in line for line in self.output), timeout)
        assert found, f"no line with {text!r} in:\n" + "".join(self.output)
        return next(line for line in self.output if text in line)

    def terminate_and_wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def space(tmp_path: Path) -> str:
    flag, started, go, pid_file = (tmp_path / n for n in ("first-attempt", "started", "go", "first.pid"))
    # The first attempt says it runs, then waits until the test opens the `go` pipe; a second attempt
    # (after the first was handed back) goes straight through.
    script = f"""\
if [ ! -e {flag} ]; then
  touch {flag}
  echo $$ > {pid_file}
  echo started > {started}
  read line < {go}
  echo "first attempt: let go"
fi
echo "slow step: done"
"""
    document = {
        "environments": ["Dev"],
        "projects": [
            {"name": "Slow", "process": [{"name": "Wait", "type": "script", "script": script}]},
            {"name": "Other", "process": [{"name": "Quick", "type": "script", "script": "echo quick"}]},
        ],
    }
    return yaml.safe_dump(document)


def admin_key(env: dict[str, str]) -> str:
    return admin_api_key(env)


def apply_space(api: httpx.Client, tmp_path: Path) -> None:
    applied = api.post("/config/apply", content=space(tmp_path), headers={"Content-Type": "application/yaml"})
    assert applied.status_code == 200, applied.text


def deploy(api: httpx.Client, project: str) -> int:
    release = api.post(f"/projects/{project}/releases", json={})
    assert release.status_code == 201, release.text
    deployment = api.post(f"/releases/{release.json()['id']}/deployments", json={"environment": "Dev"})
    assert deployment.status_code == 201, deployment.text
    return parse_id("task", deployment.json()["task_id"])


async def rows(db_url: str, task_id: int) -> tuple[str, list[sa.Row[Any]]]:
    """The task's state and its run-task work items, read straight from the database."""
    database = Database(db_url, pool_size=1)
    try:
        async with database.read() as conn:
            state = (await conn.execute(sa.select(tasks.c.state).where(tasks.c.id == task_id))).scalar_one()
            items = (await conn.execute(sa.select(work_items).where(work_items.c.key == f"run-task:{task_id}"))).all()
    finally:
        await database.dispose()
    return state, list(items)


async def wait_until_started(tmp_path: Path) -> None:
    started = tmp_path / "started"
    await asyncio.wait_for(asyncio.to_thread(started.read_text), timeout=60)


def let_go(tmp_path: Path) -> None:
    with (tmp_path / "go").open("w") as pipe:  # opens once the script reads: it was waiting for this
        pipe.write("go\n")


def finish_on_restart(server: ServerProcess, api_key: str, *task_ids: int) -> list[dict[str, Any]]:
    """Start the server again and follow each task's live log until the task ends."""
    server.start()
    with server.client(api_key) as api:
        for task_id in task_ids:
            for _ in follow_until_end(api, f"ServerTasks-{task_id}"):
                pass
        return [api.get(f"/tasks/ServerTasks-{task_id}").json() for task_id in task_ids]


@contextlib.contextmanager
def fifos(tmp_path: Path) -> Any:
    os.mkfifo(tmp_path / "started")
    os.mkfifo(tmp_path / "go")
    try:
        yield
    finally:
        pid_file = tmp_path / "first.pid"
        if pid_file.exists():  # a script that outlived its server must not outlive the test
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)


async def test_sigterm_lets_the_running_step_finish_and_claims_nothing_more(db_url, tmp_path):
    env = seaway_env(db_url, tmp_path / "data", SEAWAY_DRAIN_SECONDS="120")
    api_key = admin_key(env)
    server = WatchedServer(env, free_port())
    with fifos(tmp_path):
        server.start()
        try:
            with server.client(api_key) as api:
                apply_space(api, tmp_path)
                slow = deploy(api, "Slow")
                await wait_until_started(tmp_path)

                assert server.process is not None
                server.process.send_signal(signal.SIGTERM)
                server.wait_for_line("Draining: claiming no more work")
                # While it drains the server still answers, is not ready, and takes no new work.
                assert api.get("/ready").json()["error"]["code"] == "draining"
                other = deploy(api, "Other")
                let_go(tmp_path)
            assert server.process.wait(timeout=60) == 0
        finally:
            server.stop()

        assert server.wait_for_line("Drained: no work is running")
        slow_state, slow_items = await rows(db_url, slow)
        other_state, other_items = await rows(db_url, other)
        assert slow_state == "success" and slow_items == []
        assert other_state == "queued"
        [item] = other_items
        assert (item.attempts, item.lease_owner) == (0, None)  # never claimed

        try:
            [slow_task, other_task] = finish_on_restart(server, api_key, slow, other)
        finally:
            server.stop()
    assert slow_task["state"] == "success" and slow_task["steps"][0]["attempts"] == 1
    assert other_task["state"] == "success"


async def test_a_step_still_running_when_the_drain_time_ends_is_handed_back_and_runs_again(db_url, tmp_path):
    env = seaway_env(db_url, tmp_path / "data", SEAWAY_DRAIN_SECONDS="1")
    api_key = admin_key(env)
    server = WatchedServer(env, free_port())
    with fifos(tmp_path):
        server.start()
        try:
            with server.client(api_key) as api:
                apply_space(api, tmp_path)
                slow = deploy(api, "Slow")
            await wait_until_started(tmp_path)
            assert server.terminate_and_wait() == 0
        finally:
            server.stop()

        assert server.wait_for_line("Stopping now: handing back 1 running item(s)")
        state, [item] = await rows(db_url, slow)
        assert state == "executing"
        assert (item.lease_owner, item.lease_until) == (None, None)  # handed back, not left to expire

        try:
            [task] = finish_on_restart(server, api_key, slow)
        finally:
            server.stop()
    assert task["state"] == "success"
    assert task["steps"][0]["attempts"] == 2
