"""Running the server's work on this machine, exactly once across restarts of the agent.

A command runs as a job in `<home>/jobs/<work id>/`: the agent writes `started` (the journal entry) before
it starts the wrapper (`wrapper.py`, in a session of its own, so it outlives the agent), and the wrapper
writes the output and, last, `result.json`. An agent that restarts and is given a claimed item again finds
its job: finished, it reports the kept result; running, it follows it again; never started twice.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from seaway.agent.connection import AgentConnection
from seaway.targets import agent_files

WRAPPER = str(Path(__file__).with_name("wrapper.py"))
FOLLOW_SECONDS = 0.05  # how often a running job's files are looked at
BATCH_LINES = 500


class Jobs:
    def __init__(self, home: Path, connection: AgentConnection) -> None:
        self.home = home
        self.connection = connection
        self.folder = home / "jobs"
        self._spawned: dict[int, subprocess.Popen[bytes]] = {}

    def resolve(self, path: str) -> Path:
        """A path the server gave: relative to the registration's directory unless absolute."""
        return Path(path) if path.startswith("/") else self.home / path

    async def handle(self, item: dict[str, Any]) -> None:
        work_id, kind, payload = int(item["id"]), str(item["kind"]), dict(item["payload"])
        first, last_lines = 0, list[list[str]]()
        if kind == "run":
            result, first, last_lines = await self.run(work_id, payload, resumed=bool(item.get("resumed")))
        elif kind == "upload":
            result = await self._upload(work_id, payload)
        elif kind == "download":
            result = await self._download(payload)
        else:
            result = {"error": f"this agent does not know the work {kind!r}; upgrade it"}
        await self.connection.report(work_id, result, first, last_lines)
        job = self.folder / str(work_id)
        if job.is_dir():
            await asyncio.to_thread(_remove_tree, job)

    async def run(
        self, work_id: int, payload: dict[str, Any], *, resumed: bool = False
    ) -> tuple[dict[str, Any], int, list[list[str]]]:
        """The command's result, and the last of its lines (the number of the first, the lines), which go
        with the result. Work handed out before (`resumed`) is followed if its job is here, and otherwise
        never started: this directory may not be the one that had it."""
        job = self.folder / str(work_id)
        if not (job / "started").exists():
            if resumed:
                never = "this work was handed out before and this agent has no record of it; it is not started again"
                return {"exit_code": -1, "error": never}, 0, []
            self._start(job, work_id, payload)
        return await self._follow(work_id, job)

    def cancel(self, work_id: int) -> None:
        """SIGTERM to the job's wrapper, which stops the command's process group and records the cancel."""
        pid_file = self.folder / str(work_id) / "pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)

    def _start(self, job: Path, work_id: int, payload: dict[str, Any]) -> None:
        job.mkdir(parents=True, exist_ok=True)
        payload = {**payload, "cwd": str(self.resolve(str(payload["cwd"])))}
        Path(payload["cwd"]).mkdir(parents=True, exist_ok=True)
        (job / "payload.json").write_text(json.dumps(payload), encoding="utf-8")
        _durably_create(job / "started")  # from here on, this work is never started again
        with (job / "wrapper.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", WRAPPER, str(job)],  # stdlib only: no site, a quicker start
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._spawned[work_id] = process
        (job / "pid").write_text(str(process.pid), encoding="ascii")

    async def _follow(self, work_id: int, job: Path) -> tuple[dict[str, Any], int, list[list[str]]]:
        sent, buffered = 0, b""
        output = job / "output.jsonl"
        position = 0
        while True:
            finished = (job / "result.json").exists()
            if output.exists():
                with output.open("rb") as handle:
                    handle.seek(position)
                    chunk = handle.read()
                position += len(chunk)
                buffered += chunk
            *complete, buffered = buffered.split(b"\n")
            lines = [json.loads(raw) for raw in complete if raw.strip()]
            if finished and len(lines) <= BATCH_LINES:
                self._spawned.pop(work_id, None)
                result: dict[str, Any] = json.loads((job / "result.json").read_text(encoding="utf-8"))
                return result, sent, lines
            for start in range(0, len(lines), BATCH_LINES):
                batch = lines[start : start + BATCH_LINES]
                await self.connection.send_lines(work_id, sent, batch)
                sent += len(batch)
            if finished:
                continue  # every line but the last batch is sent: that goes with the result
            if not self._alive(work_id, job) and not (job / "result.json").exists():
                lost = {"exit_code": -1, "error": "the command's process ended without a result (was it killed?)"}
                return lost, sent, []
            await asyncio.sleep(FOLLOW_SECONDS)

    def _alive(self, work_id: int, job: Path) -> bool:
        spawned = self._spawned.get(work_id)
        if spawned is not None:
            return spawned.poll() is None
        try:
            os.kill(int((job / "pid").read_text()), 0)
        except (OSError, ValueError):
            return False
        return True

    async def _upload(self, work_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        content = await self.connection.content(work_id)
        try:
            await asyncio.to_thread(agent_files.unpack, content, self.resolve(str(payload["remote"])))
        except (OSError, ValueError) as exc:
            return {"error": str(exc)}
        return {}

    async def _download(self, payload: dict[str, Any]) -> dict[str, Any]:
        source = self.resolve(str(payload["remote"]))
        if not source.exists():
            return {"error": f"{source} does not exist"}
        try:
            data = await asyncio.to_thread(agent_files.pack, source)
        except OSError as exc:
            return {"error": str(exc)}
        return {"content": base64.b64encode(data).decode("ascii")}


def _durably_create(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
