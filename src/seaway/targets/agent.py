"""A target behind a polling agent. Each call is a durable work item the agent picks up on its next request
for work (`AgentCalls`, the engine's): the command's lines reach `on_line` as the agent sends them, cancel
reaches the agent, and files go up and come back as gzipped tars (`agent_files`)."""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from seaway.domain.agents import WorkKind
from seaway.domain.targets import DeploymentTarget
from seaway.errors import TargetError
from seaway.targets import agent_files
from seaway.targets.base import Command, CommandResult, LineSink

WORK_DIR = "files"  # under the agent's own directory for the registration


class AgentCalls(Protocol):
    async def call(
        self,
        target: DeploymentTarget,
        kind: WorkKind,
        payload: Mapping[str, Any],
        *,
        content: bytes | None = None,
        on_line: LineSink | None = None,
        cancel: asyncio.Event | None = None,
    ) -> tuple[dict[str, Any], bytes | None]:
        """Ask the target's agent for `kind` of work and wait for its result (and the file it sent back)."""
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
        result, _ = await self.calls.call(self.target, WorkKind.RUN, payload, on_line=on_line, cancel=cancel)
        self._refused(result, "run a command")
        return CommandResult(
            exit_code=int(result.get("exit_code", -1)),
            timed_out=bool(result.get("timed_out")),
            canceled=bool(result.get("canceled")),
        )

    async def work_dir(self) -> str:
        return posixpath.join(await self.calls.home(self.target), WORK_DIR)

    async def upload(self, local: Path, remote: str) -> None:
        content = await asyncio.to_thread(agent_files.pack, local)
        result, _ = await self.calls.call(self.target, WorkKind.UPLOAD, {"remote": remote}, content=content)
        self._refused(result, f"upload {local} to {remote}")

    async def download(self, remote: str, local: Path) -> None:
        result, content = await self.calls.call(self.target, WorkKind.DOWNLOAD, {"remote": remote})
        self._refused(result, f"download {remote}")
        if content is None:
            raise TargetError(f"the agent of {self.target.name} sent no file for {remote}")
        await asyncio.to_thread(agent_files.unpack, content, local)

    def _refused(self, result: Mapping[str, Any], action: str) -> None:
        if result.get("error"):
            raise TargetError(f"{self.target.name} could not {action}: {result['error']}")
