"""The process a job runs in: `python -m seaway.agent.wrapper JOB_DIR`, started by the agent in a session
of its own so that it outlives the agent. It runs the command of `payload.json` in a process group of its
own, writes each output line to `output.jsonl` as it comes, stops the command on its timeout or on SIGTERM
(the agent's cancel), and writes `result.json` last (atomically): a job with that file has finished."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

TERMINATE_GRACE_SECONDS = 5.0
DRAIN_SECONDS = 2.0


class Job:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.payload: dict[str, Any] = json.loads((folder / "payload.json").read_text(encoding="utf-8"))
        self.lock = threading.Lock()
        self.output = (folder / "output.jsonl").open("a", encoding="utf-8")
        self.canceled = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None

    def write(self, level: str, line: str) -> None:
        with self.lock:
            self.output.write(json.dumps([level, line]) + "\n")
            self.output.flush()

    def pump(self, stream: IO[bytes], level: str) -> None:
        for raw in iter(stream.readline, b""):
            self.write(level, raw.decode("utf-8", errors="replace").rstrip("\r\n"))

    def stop(self) -> None:
        assert self.process is not None
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(TERMINATE_GRACE_SECONDS)
                return
            except subprocess.TimeoutExpired:
                continue

    def run(self) -> dict[str, Any]:
        payload = self.payload
        try:
            self.process = subprocess.Popen(
                payload["argv"],
                cwd=payload["cwd"],
                env=payload["env"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            self.write("error", f"cannot start {payload['argv'][0]}: {exc.strerror or exc}")
            return {"exit_code": 127}
        assert self.process.stdout is not None and self.process.stderr is not None
        pumps = [
            threading.Thread(target=self.pump, args=(self.process.stdout, "info"), daemon=True),
            threading.Thread(target=self.pump, args=(self.process.stderr, "error"), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        timed_out = False
        try:
            self.process.wait(float(payload["timeout"]))
        except subprocess.TimeoutExpired:
            timed_out = True
            self.stop()
        if self.canceled.is_set():
            self.stop()
        for pump in pumps:
            pump.join(DRAIN_SECONDS)
        code = self.process.returncode if self.process.returncode is not None else -1
        return {"exit_code": code, "timed_out": timed_out, "canceled": self.canceled.is_set()}


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def main(folder: Path) -> None:
    job = Job(folder)

    def on_term(signum: int, frame: object) -> None:
        job.canceled.set()
        if job.process is not None:
            pid = job.process.pid
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            timer = threading.Timer(TERMINATE_GRACE_SECONDS, _kill_group, args=(pid,))
            timer.daemon = True  # the wrapper ends when the command has, without waiting for it
            timer.start()

    signal.signal(signal.SIGTERM, on_term)
    result = job.run()
    job.output.close()
    temporary = folder / "result.json.tmp"
    temporary.write_text(json.dumps(result), encoding="utf-8")
    temporary.replace(folder / "result.json")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
