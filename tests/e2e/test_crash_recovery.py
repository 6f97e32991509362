"""Killing the server with SIGKILL in the middle of a deployment and starting it again finishes it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import yaml
from tests.fixtures.server_process import ServerProcess, admin_api_key, follow_until_end, free_port, seaway_env


def space(tmp_path) -> str:
    flag, fifo, pid_file = tmp_path / "first-attempt", tmp_path / "running", tmp_path / "first.pid"
    script = f"""\
if [ ! -e {flag} ]; then
  touch {flag}
  echo $$ > {pid_file}
  echo "first attempt: waiting to be killed"
  echo running > {fifo}
  sleep 600
fi
echo "second attempt: done"
"""
    document = {
        "environments": ["Dev"],
        "projects": [
            {
                "name": "Crashy",
                "process": [
                    {"name": "Before", "type": "script", "script": "echo before"},
                    {"name": "Interrupted", "type": "script", "script": script},
                    {"name": "After", "type": "script", "script": "echo after the restart"},
                ],
            }
        ],
    }
    return yaml.safe_dump(document)


async def test_a_deployment_interrupted_by_sigkill_finishes_after_a_restart(db_url, tmp_path):
    fifo = tmp_path / "running"
    os.mkfifo(fifo)
    env = seaway_env(db_url, tmp_path / "data")
    api_key = admin_api_key(env)
    server = ServerProcess(env, free_port())
    server.start()
    first_pid = None
    try:
        with server.client(api_key) as api:
            applied = api.post("/config/apply", content=space(tmp_path), headers={"Content-Type": "application/yaml"})
            assert applied.status_code == 200, applied.text
            release = api.post("/projects/Crashy/releases", json={}).json()
            deployment = api.post(f"/releases/{release['id']}/deployments", json={"environment": "Dev"}).json()
        await asyncio.wait_for(asyncio.to_thread(fifo.read_text), timeout=60)
        first_pid = int((tmp_path / "first.pid").read_text())

        server.kill()
        server.start()

        with server.client(api_key) as api:
            messages = [line["message"] for line in follow_until_end(api, deployment["task_id"])]
            task = api.get(f"/tasks/{deployment['task_id']}").json()
        assert task["state"] == "success", task
        assert [s["state"] for s in task["steps"]] == ["succeeded"] * 3
        assert task["steps"][1]["attempts"] == 2
        assert messages.count("before") == 1
        assert "second attempt: done" in messages
        assert "after the restart" in messages
    finally:
        server.stop()
        if first_pid is not None:  # the first attempt's script outlived its server: stop it by its pid
            with contextlib.suppress(ProcessLookupError):
                os.killpg(first_pid, signal.SIGKILL)
