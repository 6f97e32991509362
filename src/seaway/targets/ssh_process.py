"""A command on an SSH target: the shell text that starts it, and the channel session that streams its lines.

The command runs under `/bin/bash --noprofile --norc` in a process group of its own (bash's job control,
`set -m`), whose id is written under `$HOME/.seaway/run/`, so a timeout or a cancel can stop the whole tree
from a second channel with `kill -- -PGID`. That needs nothing on the target but bash, unlike `setsid` or
the SSH "signal" request, which servers may refuse.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import signal

import asyncssh

from seaway.errors import InvalidInput
from seaway.targets.base import Command, LineSink

BASH = "/bin/bash --noprofile --norc -c"
RUN_DIR = "$HOME/.seaway/run"
# How long the stop script waits for a just-started command to record its process group.
PGID_WAIT_TENTHS = 50
# A line longer than this is passed on in pieces rather than held in memory whole.
MAX_LINE_CHARS = 64 * 1024

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIGNALS = {sig.name.removeprefix("SIG"): sig.value for sig in signal.Signals}


def in_bash(script: str) -> str:
    """A command line for the account's login shell (any POSIX shell) that runs `script` with bash."""
    return f"{BASH} {shlex.quote(script)}"


def pgid_file(token: str) -> str:
    return f"{RUN_DIR}/{token}.pgid"


def start_script(command: Command, token: str) -> str:
    """Bash that creates and enters the command's directory, exports its environment, runs it as its own
    process group and exits with its status. The directory and the group file are set up before the
    command's own variables are exported, so a HOME among them changes neither."""
    exports = []
    for name, value in command.env.items():
        if not _ENV_NAME.fullmatch(name):
            raise InvalidInput(f"{name!r} is not a valid environment variable name", field="env")
        exports.append(f"export {name}={shlex.quote(value)}")
    cwd = shlex.quote(str(command.cwd))
    return "\n".join(
        [
            f'mkdir -p -- "{RUN_DIR}" || exit 1',
            f'_seaway_pgid_file="{pgid_file(token)}"',
            f"mkdir -p -- {cwd} && cd -- {cwd} || exit 1",
            *exports,
            # Job control gives the background job a process group of its own; switched off again at once
            # so bash prints no job notices.
            "set -m",
            f"{shlex.join(command.argv)} </dev/null &",
            "_seaway_pid=$!",
            "set +m",
            'printf "%s\\n" "$_seaway_pid" > "$_seaway_pgid_file"',
            'wait "$_seaway_pid"',
            "_seaway_status=$?",
            'rm -f -- "$_seaway_pgid_file"',
            'exit "$_seaway_status"',
        ]
    )


def stop_script(token: str, sig: signal.Signals) -> str:
    """Bash that sends `sig` to the command's process group, once the command has recorded it."""
    name = sig.name.removeprefix("SIG")
    return "\n".join(
        [
            f'f="{pgid_file(token)}"; i=0',
            f'while [ ! -s "$f" ] && [ "$i" -lt {PGID_WAIT_TENTHS} ]; do',
            "  sleep 0.1; i=$((i + 1))",
            "done",
            f'[ -s "$f" ] && read -r pgid < "$f" && kill -{name} -- "-$pgid" 2>/dev/null',
            "exit 0",
        ]
    )


class StreamedSession(asyncssh.SSHClientSession[str]):
    """One exec channel: its output split into lines, queued in arrival order, its exit status and how the
    channel ended (None when it closed normally, the error when the connection was lost)."""

    def __init__(self) -> None:
        self.lines: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
        self.exited = asyncio.Event()
        self.closed: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()
        self.exit_status: int | None = None
        self._partial: dict[str, str] = {"info": "", "error": ""}
        self._channel: asyncssh.SSHClientChannel[str] | None = None

    def connection_made(self, chan: asyncssh.SSHClientChannel[str]) -> None:
        self._channel = chan

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        level = "error" if datatype == asyncssh.EXTENDED_DATA_STDERR else "info"
        *complete, rest = (self._partial[level] + data).split("\n")
        for line in complete:
            self.lines.put_nowait((level, line.rstrip("\r")))
        while len(rest) > MAX_LINE_CHARS:
            self.lines.put_nowait((level, rest[:MAX_LINE_CHARS]))
            rest = rest[MAX_LINE_CHARS:]
        self._partial[level] = rest

    def exit_status_received(self, status: int) -> None:
        self.exit_status = status
        self.exited.set()

    def exit_signal_received(self, signal: str, core_dumped: bool, msg: str, lang: str) -> None:
        number = _SIGNALS.get(signal)
        self.exit_status = 128 + number if number else -1
        self.exited.set()

    def connection_lost(self, exc: Exception | None) -> None:
        for level, rest in self._partial.items():
            if rest:
                self.lines.put_nowait((level, rest.rstrip("\r")))
        self._partial = {"info": "", "error": ""}
        self.lines.put_nowait(None)
        self.exited.set()
        if not self.closed.done():
            self.closed.set_result(exc)

    async def pump(self, on_line: LineSink) -> None:
        while (item := await self.lines.get()) is not None:
            await on_line(*item)

    async def ended(self, drain_seconds: float) -> Exception | None:
        """Wait for the channel to close. A background process the command left may hold its output open:
        then the channel is closed `drain_seconds` after the exit status came."""
        await self.exited.wait()
        if not self.closed.done():
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(asyncio.shield(self.closed), drain_seconds)
            self.close()
        return await self.closed

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
