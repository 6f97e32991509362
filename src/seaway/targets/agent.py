"""A target behind a polling agent. Each call is a durable work item the agent picks up on its next request
for work (`AgentCalls`, the engine's): the command's lines reach `on_line` as the agent sends them, cancel
reaches the agent, and files go up and come back as gzipped tars (`agent_files`)."""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from seaway.domain.agents import WorkKind
from seaway.domain.targets import DeploymentTarget
from seaway.errors import TargetError
from seaway.targets import agent_files
from seaway.targets.base import Command, CommandResult, LineSink

WORK_DIR = "files"  # under the agent's own directory for the registration


@dataclass(frozen=True)
class AgentCall:
    """One piece of work for a target's agent: what to do, the file that goes up with it (a packed tar),
    where its output lines go as the agent sends them, and the event that cancels it."""

    kind: WorkKind
    payload: Mapping[str, Any]  # the work's arguments, as the agent reads them from JSON
    content: bytes | None = None
    on_line: LineSink | None = None
    cancel: asyncio.Event | None = None


@dataclass(frozen=True)
class AgentReply:
    """What the agent sent back: its result as JSON, and the file that came with it (a download's)."""

    result: Mapping[str, Any]
    content: bytes | None = None


class AgentCalls(Protocol):
    async def call(self, target: DeploymentTarget, work: AgentCall) -> AgentReply:
        """Ask the target's agent for `work` and wait for its reply."""
        ...

    async def home(self, target: DeploymentTarget) -> str:
        """The agent's own directory on its machine, as it reported it."""
        ...


class AgentTarget:
    def __init__(self, target: DeploymentTarget, calls: AgentCalls) -> None:
        self.target = target
        self.calls = calls

    async def run(self, command: Command, *, on_line: LineSink, cancel: asyncio.Event) -> CommandResult:
        payload = {
            "argv": list(command.argv),
            "env": dict(command.env),
            "cwd": str(command.cwd),
            "timeout": command.timeout,
        }
        reply = await self.calls.call(self.target, AgentCall(WorkKind.RUN, payload, on_line=on_line, cancel=cancel))
        result = self._accepted(reply, "run a command")
        return CommandResult(
            exit_code=int(result.get("exit_code", -1)),
            timed_out=bool(result.get("timed_out")),
            canceled=bool(result.get("canceled")),
        )

    async def work_dir(self) -> str:
        return posixpath.join(await self.calls.home(self.target), WORK_DIR)

    async def upload(self, local: Path, remote: str) -> None:
        content = await asyncio.to_thread(agent_files.pack, local)
        reply = await self.calls.call(self.target, AgentCall(WorkKind.UPLOAD, {"remote": remote}, content=content))
        self._accepted(reply, f"upload {local} to {remote}")

    async def download(self, remote: str, local: Path) -> None:
        reply = await self.calls.call(self.target, AgentCall(WorkKind.DOWNLOAD, {"remote": remote}))
        self._accepted(reply, f"download {remote}")
        if reply.content is None:
            raise TargetError(f"the agent of {self.target.name} sent no file for {remote}")
        await asyncio.to_thread(agent_files.unpack, reply.content, local)

    def _accepted(self, reply: AgentReply, action: str) -> Mapping[str, Any]:
        """The reply's result; TargetError when the agent could not do the work."""
        if reply.result.get("error"):
            raise TargetError(f"{self.target.name} could not {action}: {reply.result['error']}")
        return reply.result
