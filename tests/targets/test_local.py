"""LocalTarget: a command on this server, its output streamed line by line, stopped on cancel or timeout."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from seaway.targets.base import Command
from seaway.targets.local import LocalTarget

ENV = {"PATH": "/usr/bin:/bin", "GREETING": "hello"}


class Lines:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.first = asyncio.Event()

    async def __call__(self, level: str, line: str) -> None:
        self.seen.append((level, line))
        self.first.set()


async def _run(script: str, tmp_path: Path, lines: Lines, cancel: asyncio.Event | None = None, timeout: float = 30):
    command = Command(["bash", "-c", script], ENV, tmp_path, timeout)
    return await LocalTarget().run(command, on_line=lines, cancel=cancel or asyncio.Event())


async def test_output_lines_are_streamed_with_their_level_and_the_exit_code_returned(tmp_path):
    lines = Lines()

    result = await _run('echo "$GREETING from $PWD"; echo oops >&2; printf "no newline"; exit 3', tmp_path, lines)

    assert (result.exit_code, result.timed_out, result.canceled) == (3, False, False)
    assert sorted(lines.seen) == sorted([("info", f"hello from {tmp_path}"), ("error", "oops"), ("info", "no newline")])


async def test_cancel_stops_the_whole_process_group(tmp_path):
    lines = Lines()
    cancel = asyncio.Event()
    child_pid = tmp_path / "child.pid"

    async def cancel_once_started() -> None:
        await lines.first.wait()
        cancel.set()

    script = f"sleep 60 & echo $! > {child_pid}; echo started; wait"
    result, _ = await asyncio.gather(_run(script, tmp_path, lines, cancel), cancel_once_started())

    assert result.canceled and not result.timed_out and result.exit_code != 0
    assert not _alive(int(child_pid.read_text()))


async def test_a_command_running_past_its_timeout_is_stopped(tmp_path):
    result = await _run("exec sleep 60", tmp_path, Lines(), timeout=0.2)

    assert result.timed_out and not result.canceled and result.exit_code != 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped by init is a zombie: it no longer runs.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
