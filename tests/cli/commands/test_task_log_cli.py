"""`seaway task log` prints the whole log, however many requests it takes, against a real server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.fixtures.server_process import ServerProcess, admin_api_key, free_port, run_cli, seaway_env

LINES = 25
SPACE = f"""
environments: [Test]
projects:
  - name: Chatty
    process:
      - name: Talk
        type: script
        script: |
          for i in $(seq 1 {LINES}); do echo line-$i; done
          echo 'a warning' >&2
"""


@pytest.fixture(scope="module")
def finished_task(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], ServerProcess, str]]:
    """A server with one finished deployment of the chatty project: (client env, server, task id)."""
    tmp = tmp_path_factory.mktemp("task-log")
    env = seaway_env(f"sqlite:///{tmp / 'seaway.db'}", tmp / "data")
    assert run_cli(["migrate"], env).returncode == 0
    key = admin_api_key(env)
    server = ServerProcess(env, free_port())
    server.start()
    client_env = {**env, "SEAWAY_URL": server.url, "SEAWAY_API_KEY": key}
    try:
        space = tmp / "space.yaml"
        space.write_text(SPACE)
        assert run_cli(["apply", str(space)], client_env).returncode == 0
        release = run_cli(["release", "create", "--project", "Chatty"], client_env).stdout.strip()
        deployed = run_cli(
            ["deploy", "--project", "Chatty", "--release", release, "--to", "Test", "--wait"], client_env
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        task_id = deployed.stdout.split()[1]
        assert task_id.startswith("ServerTasks-"), deployed.stdout
        yield client_env, server, task_id
    finally:
        server.stop()


def log_requests(server: ServerProcess, task_id: str) -> int:
    return sum(f"GET /api/v1/tasks/{task_id}/log?" in line for line in server.output)


def test_task_log_pages_through_the_whole_log(finished_task):
    env, server, task_id = finished_task
    with server.client(env["SEAWAY_API_KEY"]) as api:
        total = len(api.get(f"/tasks/{task_id}/log").json()["lines"])
    requests_before = log_requests(server, task_id)

    paged = run_cli(["task", "log", task_id, "--page-size", "4"], env)

    assert paged.returncode == 0, paged.stderr
    printed = paged.stdout.splitlines()
    assert len(printed) == total > LINES
    messages = [line[11:] for line in printed]
    assert messages[messages.index("line-1") : messages.index(f"line-{LINES}") + 1] == [
        f"line-{i}" for i in range(1, LINES + 1)
    ]
    assert any(line[9:] == "! a warning" for line in printed)  # stderr is marked as an error line
    assert messages[-1] == "The deployment succeeded"
    # ⌈total / 4⌉ pages, plus one empty answer when the last page happens to be full.
    assert log_requests(server, task_id) - requests_before in (-(-total // 4), -(-total // 4) + 1)


def test_task_log_prints_what_the_download_holds(finished_task):
    env, server, task_id = finished_task

    printed = run_cli(["task", "log", task_id, "--page-size", "3"], env)
    with httpx.Client(base_url=f"{server.url}/api/v1", headers={"X-Seaway-ApiKey": env["SEAWAY_API_KEY"]}) as api:
        downloaded = api.get(f"/tasks/{task_id}/log/raw")

    assert downloaded.status_code == 200
    assert printed.stdout == downloaded.text


def test_a_page_size_beyond_what_the_server_answers_is_refused(finished_task):
    env, _, task_id = finished_task

    refused = run_cli(["task", "log", task_id, "--page-size", "10001"], env)

    assert refused.returncode == 2
    assert "less than or equal to 10000" in refused.stderr and refused.stdout == ""
