"""Run commands on the Seaway server itself, in their own process group so cancel stops the whole tree."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from seaway.targets.base import Command, CommandResult, LineSink, wait_for_end

# After SIGTERM a script gets this long to clean up before SIGKILL.
TERMINATE_GRACE_SECONDS = 5.0
# A background process the script started may keep the pipes open; stop reading this long after exit.
DRAIN_SECONDS = 2.0


class LocalTarget:
    async def run(self, command: Command, *, on_line: LineSink, cancel: asyncio.Event) -> CommandResult:
        process = await asyncio.create_subprocess_exec(
            *command.argv,
            cwd=command.cwd,
            env=dict(command.env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        assert process.stdout is not None and process.stderr is not None
        readers = [
            asyncio.create_task(_pump(process.stdout, "info", on_line)),
            asyncio.create_task(_pump(process.stderr, "error", on_line)),
        ]
        exited = asyncio.create_task(process.wait())
        try:
            timed_out, was_canceled = await wait_for_end(exited, cancel, command.timeout)
            if timed_out or was_canceled:
                await _terminate(process)
            await exited
        finally:
            if not exited.done():  # the caller itself was cancelled: leave no process behind
                await _terminate(process)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*readers), DRAIN_SECONDS)
        for reader in readers:
            reader.cancel()
        code = process.returncode if process.returncode is not None else -1
        return CommandResult(exit_code=code, timed_out=timed_out, canceled=was_canceled)


async def _pump(stream: asyncio.StreamReader, level: str, on_line: LineSink) -> None:
    while True:
        try:
            raw = await stream.readline()
        except ValueError:  # a line longer than the stream limit: take what is there
            raw = await stream.read(64 * 1024)
        if not raw:
            return
        await on_line(level, raw.decode("utf-8", errors="replace").rstrip("\r\n"))


async def _terminate(process: asyncio.subprocess.Process) -> None:
    for sig, wait in ((signal.SIGTERM, TERMINATE_GRACE_SECONDS), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            await asyncio.wait_for(process.wait(), wait)
            return
        except TimeoutError:
            continue
