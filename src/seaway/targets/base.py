"""What a deployment target does: run a command and stream its output lines."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

LineSink = Callable[[str, str], Awaitable[None]]  # (level, line)


@dataclass(frozen=True)
class Command:
    """What to run on a target: the same whether it runs here, over SSH or on an agent."""

    argv: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    timeout: float  # seconds; then the command is stopped


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    timed_out: bool = False
    canceled: bool = False


class Target(Protocol):
    async def run(self, command: Command, *, on_line: LineSink, cancel: asyncio.Event) -> CommandResult: ...


@runtime_checkable
class RemoteTarget(Target, Protocol):
    """A target on another machine: files a step needs go up first, and live under its own work directory."""

    async def work_dir(self) -> str: ...

    async def upload(self, local: Path, remote: str) -> None: ...

    async def download(self, remote: str, local: Path) -> None:
        """Copy the file (or directory, recursively) `remote`, relative to the home directory unless absolute,
        to `local`, creating the directories above it."""
        ...


async def wait_for_end(ended: asyncio.Future[Any], cancel: asyncio.Event, timeout: float) -> tuple[bool, bool]:
    """Wait until `ended` is done, `cancel` is set or `timeout` seconds passed, whichever comes first:
    (timed_out, canceled), both False when it ended."""
    canceled = asyncio.create_task(cancel.wait())
    try:
        done, _ = await asyncio.wait({ended, canceled}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        canceled.cancel()
    if ended in done:
        return False, False
    return not done, canceled in done
