"""One deployment runs on a target at a time (Octopus's per-target mutex), held as a `target_locks` row.

A step takes the target's row before it runs there and deletes it when it is done there, each in a
transaction of its own. A task that finds the row taken waits, saying once for each holder whom it waits
for, and asks again when a lock is released in this process or every `poll_seconds` (a holder on another
node). A holder whose node died leaves its row behind: once that task's work-item lease has expired, the
next task to ask takes the target over (`store.target_locks`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from seaway.domain.ids import format_id
from seaway.domain.targets import DeploymentTarget
from seaway.engine.clock import Clock
from seaway.errors import DeploymentCanceled, NotFound
from seaway.steps.base import StepLog
from seaway.store.unit_of_work import Store


class TargetLocks:
    def __init__(self, store: Store, clock: Clock, *, poll_seconds: float = 1.0) -> None:
        self.store, self.clock, self.poll_seconds = store, clock, poll_seconds
        self._released = asyncio.Event()

    @contextlib.asynccontextmanager
    async def lock(
        self, task_id: int, target: DeploymentTarget, log: StepLog, cancel: asyncio.Event
    ) -> AsyncIterator[None]:
        assert target.id is not None
        await self._take(task_id, target, log, cancel)
        try:
            yield
        finally:
            async with self.store.transaction() as uow:
                await uow.target_locks.release(target.id, task_id)
            self._released.set()
            self._released = asyncio.Event()

    async def _take(self, task_id: int, target: DeploymentTarget, log: StepLog, cancel: asyncio.Event) -> None:
        assert target.id is not None
        told: int | None = None
        while True:
            released = self._released
            async with self.store.transaction() as uow:
                holder = await uow.target_locks.take(target.id, task_id, self.clock.now())
            if holder is None:
                if told is not None:
                    await log.write(f"{target.name} is free now")
                return
            if holder.task_id != told:
                told = holder.task_id
                await log.write(f"Waiting for {target.name}: {await self._who(holder.task_id)} is running on it")
            if cancel.is_set():
                raise DeploymentCanceled(f"canceled while waiting for {target.name}", entity="task")
            await _first_of(released, cancel, self.poll_seconds)

    async def _who(self, task_id: int) -> str:
        try:
            async with self.store.reading() as uow:
                task = await uow.tasks.get(task_id)
                deployment = await uow.deployments.get(task.deployment_id)
                project = await uow.projects.get(deployment.project_id)
        except NotFound:
            return "another deployment"
        return f"{format_id('deployment', deployment.id)} of {project.name} ({format_id('task', task_id)})"


async def _first_of(released: asyncio.Event, cancel: asyncio.Event, seconds: float) -> None:
    waits = [asyncio.ensure_future(released.wait()), asyncio.ensure_future(cancel.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
