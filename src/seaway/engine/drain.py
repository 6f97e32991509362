"""Draining a worker before the process exits: claim nothing more, let what runs finish, for a while.

    drain = Drain(worker, timeout=30)
    drain.begin()              # from the SIGTERM handler: no more claims from here on
    finished = await drain.wait()
    stop.set()                 # the worker's loop ends; shutdown() hands back what still runs

Whatever is still running when the timeout passes is stopped by the worker's `shutdown()` and its lease
handed back, so another node (or this one, restarted) runs it again from its last commit.
"""

from __future__ import annotations

import asyncio
import contextlib

from seaway.engine.worker import Worker


class Drain:
    def __init__(self, worker: Worker, timeout: float) -> None:
        self.worker = worker
        self.timeout = timeout
        self.started = asyncio.Event()

    def begin(self) -> None:
        if self.started.is_set():
            return
        self.started.set()
        # The worker claims nothing more, neither in its loop nor when it completes an item, while its loop
        # and heartbeat keep running for the items it holds.
        self.worker.accepting = False
        self.worker.wake()

    async def wait(self) -> bool:
        """True when every running item finished within the timeout."""
        self.begin()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timeout):
                await self._until_nothing_runs()
        return self.worker.busy == 0

    async def _until_nothing_runs(self) -> None:
        # The worker sets `idle` when a pass of its loop finds nothing running; with claiming stopped
        # nothing starts again, so the first idle after the last item ends is final.
        while self.worker.busy:
            self.worker.idle.clear()
            if not self.worker.busy:
                return
            await self.worker.idle.wait()
