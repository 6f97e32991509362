"""The worker: claim work items → run them → heartbeat → complete.

It runs up to `capacity` items at once. Each held item has a lease, renewed by one heartbeat per node
(one commit for all items); the same heartbeat notices cancel requests. `run_until_idle()` lets tests
run everything that is due and return, instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from seaway.engine.clock import Clock
from seaway.engine.faults import AFTER_CLAIM, NO_FAULTS, FaultPoints
from seaway.engine.metrics import EngineMetrics
from seaway.engine.orchestrator import RUN_TASK, FinishItem
from seaway.errors import LeaseLost
from seaway.store.dialects import work_notifications
from seaway.store.queue import WorkItem
from seaway.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("seaway.worker")

Handler = Callable[[WorkItem, "ItemLease", FinishItem], Awaitable[bool]]

# A failed work item is retried after 2^attempts seconds, capped.
MAX_BACKOFF_SECONDS = 300.0


@dataclass
class ItemLease:
    item: WorkItem
    owner: str
    renewed_until: Callable[[], datetime]  # the lease's end if it is renewed now
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when the item's last transaction starts: a heartbeat that then finds the item gone is not a loss.
    finishing: bool = False
    _lost: bool = False

    @property
    def lost(self) -> bool:
        return self._lost

    def lose(self) -> None:
        self._lost = True
        self.cancel.set()

    async def hold(self, uow: UnitOfWork) -> None:
        """Fence the transaction: raises LeaseLost (rolling it back) unless this node still holds the item."""
        await uow.queue.hold(self.item, self.owner, self.renewed_until())


class Worker:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        handlers: Mapping[str, Handler],
        *,
        capacity: int = 5,
        lease_seconds: float = 15.0,
        poll_seconds: float = 1.0,
        node_id: str | None = None,
        faults: FaultPoints = NO_FAULTS,
        metrics: EngineMetrics | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.handlers = dict(handlers)
        self.capacity = capacity
        self.lease = timedelta(seconds=lease_seconds)
        # Three beats per lease: one missed beat (a slow commit) still leaves a beat's worth of slack.
        self.heartbeat_seconds = min(lease_seconds / 3, 5.0)
        self.poll_seconds = poll_seconds
        self.node_id = node_id or f"node-{uuid.uuid4().hex[:12]}"
        self.faults = faults
        self.metrics = metrics or EngineMetrics()
        self._active: dict[int, tuple[ItemLease, asyncio.Task[None]]] = {}
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        # Set while `run_forever` waits with nothing to claim (observable by tests and health checks).
        self.idle = asyncio.Event()
        # Cleared to stop claiming (draining before a shutdown); items already held run on.
        self.accepting = True
        self._stopping = False  # while shutdown() stops the items it holds

    # -- signals from this process ------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def cancel_task(self, task_id: int) -> None:
        """A cancel request committed in this process: stop the running script now, not at the next beat."""
        for lease, _ in self._active.values():
            if lease.item.kind == RUN_TASK and lease.item.payload.get("task_id") == task_id:
                lease.cancel.set()

    @property
    def busy(self) -> int:
        return len(self._active)

    # -- loops -------------------------------------------------------------------------------------

    async def run_forever(self, stop: asyncio.Event) -> None:
        async with work_notifications(self.store.database.url, self.wake):
            await self._loop(stop)

    async def _loop(self, stop: asyncio.Event) -> None:
        heartbeat = asyncio.create_task(self._heartbeat_loop(stop))
        try:
            while not stop.is_set():
                self._wake.clear()
                self.idle.clear()
                await self._claim_and_start()
                if not self._active:
                    self.idle.set()
                waiters = [asyncio.create_task(e.wait()) for e in (self._wake, self._changed, stop)]
                await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
                self._changed.clear()
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self.shutdown()

    async def run_until_idle(self) -> None:
        """Run every item that is due, including the ones they enqueue, until none is due and none runs."""
        heartbeat_stop = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat_loop(heartbeat_stop))
        try:
            while True:
                started = await self._claim_and_start()
                if not self._active:
                    if started == 0:
                        return
                    continue
                await asyncio.wait([t for _, t in self._active.values()], return_when=asyncio.FIRST_COMPLETED)
        finally:
            heartbeat_stop.set()
            await heartbeat

    async def shutdown(self) -> None:
        """Stop running items (their scripts are terminated) and hand the items back for the next start."""
        self._stopping = True  # an item finishing meanwhile must not claim (and start) more
        tasks = [t for _, t in self._active.values()]
        for lease, task in self._active.values():
            lease.lose()  # nothing more is written for these items; they run again from their last commit
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            async with self.store.transaction() as uow:
                await uow.queue.release_owned(self.node_id)
        self._stopping = False

    # -- claiming and running ----------------------------------------------------------------------

    async def _claim_and_start(self) -> int:
        free = self.capacity - len(self._active)
        if free <= 0 or not self.accepting:
            return 0
        async with self.store.transaction() as uow:
            items = await self._claim(uow, free)
        self._start(items)
        return len(items)

    async def _claim(self, uow: UnitOfWork, limit: int) -> list[WorkItem]:
        # Read the time once the transaction holds its lock: an item committed by a writer this claim waited
        # for is then due, so run_until_idle cannot stop with work still due.
        return await uow.queue.claim(self.node_id, self.clock.now(), self.lease, limit, exclude=self._active_keys())

    def _start(self, items: list[WorkItem]) -> None:
        """Run items whose claim has just committed."""
        if items:
            self.faults.reached(AFTER_CLAIM)
        for item in items:
            if item.taken_over_from is not None:
                log.warning("took %s over from %s, whose lease had expired", item.key, item.taken_over_from)
                self.metrics.lease_taken_over()
            lease = ItemLease(item, self.node_id, self._renewed_until)
            task = asyncio.create_task(self._run(lease))
            self._active[item.id] = (lease, task)

    def _renewed_until(self) -> datetime:
        return self.clock.now() + self.lease

    def _active_keys(self) -> list[str]:
        return [lease.item.key for lease, _ in self._active.values()]

    async def _run(self, lease: ItemLease) -> None:
        item = lease.item
        try:
            handler = self.handlers.get(item.kind)
            if handler is None:
                raise LookupError(f"no handler for work items of kind {item.kind!r}")

            async def finish(uow: UnitOfWork) -> None:
                lease.finishing = True
                await uow.queue.complete(item, self.node_id)
                # The transaction that completes an item also claims the next ones (its own slot included),
                # saving the separate claim's transaction and the wait for the poll.
                free = self.capacity - len(self._active) + 1
                if self.accepting and not self._stopping and free > 0:
                    claimed = await self._claim(uow, free)
                    if claimed:
                        uow.after_commit(lambda: self._start(claimed))

            finished = await handler(item, lease, finish)
            if not finished and not lease.lost:
                async with self.store.transaction() as uow:
                    await finish(uow)
        except LeaseLost:  # another node took the item over while this one was stalled: it runs it now
            log.warning("late write refused: lease on %s lost", item.key)
            lease.lose()
        except Exception as exc:  # the item is retried later; one bad item must not stop the worker
            log.exception("work item %s failed", item.key)
            if not lease.lost:
                await self._retry_later(item, exc)
        finally:
            self._active.pop(item.id, None)
            self._changed.set()

    async def _retry_later(self, item: WorkItem, exc: Exception) -> None:
        delay = min(2.0**item.attempts, MAX_BACKOFF_SECONDS)
        with contextlib.suppress(Exception):
            async with self.store.transaction() as uow:
                await uow.queue.retry_later(
                    item, self.node_id, self.clock.now() + timedelta(seconds=delay), f"{type(exc).__name__}: {exc}"
                )

    # -- heartbeat ---------------------------------------------------------------------------------

    async def _heartbeat_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.heartbeat_seconds)
            if self._active and not stop.is_set():
                try:
                    await self._beat()
                except Exception:  # a missed beat is retried at the next one; the lease has slack for it
                    log.exception("heartbeat failed")

    async def _beat(self) -> None:
        leases = {item_id: lease for item_id, (lease, _) in self._active.items()}
        task_ids = {
            int(lease.item.payload["task_id"]): lease for lease in leases.values() if lease.item.kind == RUN_TASK
        }
        async with self.store.transaction() as uow:
            held = await uow.queue.extend(self.node_id, list(leases), self.clock.now() + self.lease)
            cancels = await uow.tasks.cancel_requested(list(task_ids))
        for item_id, lease in leases.items():
            if item_id not in held and not lease.finishing and item_id in self._active:
                log.warning("lost the lease on %s; another node may run it", lease.item.key)
                lease.lose()
        for task_id in cancels:
            task_ids[task_id].cancel.set()
