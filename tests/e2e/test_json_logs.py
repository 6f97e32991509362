"""SEAWAY_LOG_FORMAT=json: every line `seaway server` and `seaway worker` write is one JSON object."""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
from typing import Any

import httpx
import pytest
from tests.fixtures.server_process import SEAWAY, ServerProcess, free_port, seaway_env

from seaway.cli.logs import JsonLines

pytestmark = pytest.mark.slow


def records(lines: list[str]) -> list[dict[str, Any]]:
    parsed = []
    for line in lines:
        if line.strip():
            record = json.loads(line)  # a line that is not JSON fails the test here
            assert {"time", "level", "logger", "message"} <= record.keys(), record
            parsed.append(record)
    return parsed


def test_the_server_logs_json_lines_the_access_log_too(db_url, tmp_path):
    server = ServerProcess(seaway_env(db_url, tmp_path / "data", SEAWAY_LOG_FORMAT="json"), free_port())
    server.start()
    try:
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/api/v1/health").status_code == 200
            assert client.get("/links/abcdefghijklmnop-secret").status_code == 404
    finally:
        server.stop()

    logged = records(server.output)
    assert any(r["logger"] == "uvicorn.error" and "Uvicorn running on" in r["message"] for r in logged)
    [health] = [r for r in logged if r["logger"] == "uvicorn.access" and r.get("path") == "/api/v1/health"]
    assert (health["method"], health["status"], health["level"]) == ("GET", 200, "info")
    assert "GET /api/v1/health" in health["message"]
    # The approval-link filter still applies: the token is cut in the record that reaches the JSON.
    [link] = [r for r in logged if r["logger"] == "uvicorn.access" and "/links/" in r["message"]]
    assert "secret" not in json.dumps(link) and link["path"] == "/links/abcdef…"
    assert any(r["logger"] == "seaway.server" and r["message"].startswith("Drained") for r in logged)


def test_the_worker_logs_json_lines_and_drains_on_sigterm(db_url, tmp_path):
    env = seaway_env(db_url, tmp_path / "data", SEAWAY_LOG_FORMAT="json")
    process = subprocess.Popen(
        [*SEAWAY, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines = []
    try:
        for line in process.stdout:  # the first record says the worker runs: then it has its signal handlers
            lines.append(line)
            if "running (capacity" in line:
                break
        process.send_signal(signal.SIGTERM)
        lines.extend(process.stdout)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stdout.close()

    messages = [r["message"] for r in records(lines) if r["logger"] == "seaway.server"]
    assert messages[0].startswith("Worker node-") and "running (capacity 5)" in messages[0]
    assert messages[1:] == [
        "Draining: claiming no more work; waiting up to 30 s for 0 running item(s)",
        "Drained: no work is running",
    ]


def test_an_exception_comes_with_its_traceback():
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("seaway.test.json_lines")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("the disk is full")
    except ValueError:
        logger.exception("work item %s failed", "run-task:7")
    finally:
        logger.removeHandler(handler)

    [line] = written.getvalue().splitlines()  # the traceback's newlines stay inside the JSON string
    entry = json.loads(line)
    assert entry["level"] == "error" and entry["logger"] == "seaway.test.json_lines"
    assert entry["message"] == "work item run-task:7 failed"
    assert entry["time"].endswith("+00:00")
    assert "Traceback" in entry["exception"] and "ValueError: the disk is full" in entry["exception"]
