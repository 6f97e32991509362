"""Fail-over on PostgreSQL: of two server processes, the one running deployments is killed with SIGKILL; the
other resumes them within the lease plus 5 seconds (its leases expire, it claims the items at its next poll).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml
from tests.fixtures.crash import KILLED, Node, deploy, finished, prepare, server_env

pytestmark = pytest.mark.slow

LEASE_SECONDS = 3.0
BOUND_SECONDS = LEASE_SECONDS + 5
PROJECTS = ("Alpha", "Beta", "Gamma")


def failover_space(runs: Path) -> str:
    """Each project's one step: its first run names its server (the script's parent) through a fifo and waits
    for `runs/go`; a later run says through another fifo that it started."""

    def script(project: str) -> str:
        return f"""\
if [ ! -e {runs / project}.first ]; then
  touch {runs / project}.first
  echo $PPID > {runs / project}.owner
  while [ ! -e {runs / "go"} ]; do sleep 0.05; done
  echo "first run done"
else
  echo resumed > {runs / project}.resumed
  echo "resumed run done"
fi
"""

    document = {
        "environments": ["Dev"],
        "projects": [
            {"name": name, "process": [{"name": "Work", "type": "script", "script": script(name)}]} for name in PROJECTS
        ],
    }
    return yaml.safe_dump(document)


def read_fifo(path: Path) -> str:
    return path.read_text().strip()


def release_readers(*fifos: Iterable[Path]) -> None:
    """End the reads still waiting on a fifo no script wrote to (a failed test), so their threads end."""
    for fifo in itertools.chain(*fifos):
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # no reader waits on it
            continue
        os.close(fd)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_the_surviving_server_resumes_a_killed_servers_deployments_within_the_lease_and_5_s(db_url, tmp_path):
    runs, data = tmp_path / "runs", tmp_path / "data"
    runs.mkdir()
    for project in PROJECTS:
        os.mkfifo(runs / f"{project}.owner")
        os.mkfifo(runs / f"{project}.resumed")
    api_key = await prepare(db_url, data, failover_space(runs))
    env = server_env(db_url, data) | {"SEAWAY_LEASE_SECONDS": str(LEASE_SECONDS)}
    nodes = [Node(env), Node(env)]
    for node in nodes:
        node.start()
    try:
        with nodes[0].client(api_key) as api:
            deployed = {project: deploy(api, project) for project in PROJECTS}
        owners = await asyncio.wait_for(
            asyncio.gather(*(asyncio.to_thread(read_fifo, runs / f"{p}.owner") for p in PROJECTS)), timeout=30
        )
        owner_of = dict(zip(PROJECTS, (int(pid) for pid in owners), strict=True))
        victim = next(node for node in nodes if node.pid == owner_of["Alpha"])
        survivor = next(node for node in nodes if node is not victim)
        moved = [project for project, pid in owner_of.items() if pid == victim.pid]

        resumed = {p: asyncio.create_task(asyncio.to_thread(read_fifo, runs / f"{p}.resumed")) for p in moved}
        killed_at = time.monotonic()
        victim.process_signal(signal.SIGKILL)
        assert await victim.died() == KILLED
        took: dict[str, float] = {}
        for project, reading in resumed.items():
            await asyncio.wait_for(reading, timeout=BOUND_SECONDS + 30)
            took[project] = time.monotonic() - killed_at

        (runs / "go").touch()  # the survivor's own first runs (and the dead server's orphans) end
        with survivor.client(api_key) as api:
            tasks = {project: finished(api, deployed[project]) for project in PROJECTS}
    finally:
        (runs / "go").touch()
        for node in nodes:
            node.stop()
        release_readers(runs.glob("*.owner"), runs.glob("*.resumed"))

    print(f"fail-over with a {LEASE_SECONDS:g} s lease: " + ", ".join(f"{p} {t:.2f} s" for p, t in took.items()))
    assert max(took.values()) <= BOUND_SECONDS, took
    for project, (task, messages) in tasks.items():
        assert task["state"] == "success", (project, task)
        expected = "resumed run done" if project in moved else "first run done"
        assert expected in messages, (project, messages)
