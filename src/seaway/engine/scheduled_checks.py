"""Health checks on each target's machine-policy schedule, as due work items.

`tick` (every minute while the server runs) enqueues a `health-check:<target>` item for every enabled target
that has none, due an interval of its policy after its last check (at once if never checked). The worker
runs due items side by side, up to its capacity, so checks run in parallel across targets; each is the
on-demand check's path (`target_checks.run_health_check`), which records the result and audits a change of
health, by Seaway itself.
"""

from __future__ import annotations

import asyncio
import logging

from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, next_check
from seaway.engine.clock import Clock
from seaway.engine.orchestrator import FinishItem
from seaway.engine.periodic import repeat
from seaway.engine.target_checks import run_health_check
from seaway.engine.targets import TargetProbe
from seaway.errors import NotFound
from seaway.store.queue import WorkItem
from seaway.store.unit_of_work import Store

HEALTH_CHECK = "health-check"
log = logging.getLogger("seaway.health_checks")


def check_key(target_id: int) -> str:
    return f"{HEALTH_CHECK}:{target_id}"


class ScheduledChecks:
    def __init__(self, store: Store, probe: TargetProbe, clock: Clock, *, every_seconds: float = 60.0) -> None:
        self.store, self.probe, self.clock, self.every_seconds = store, probe, clock, every_seconds

    async def tick(self) -> int:
        """Schedule the next check of every enabled target without one; how many were scheduled."""
        now = self.clock.now()
        scheduled = 0
        async with self.store.transaction() as uow:
            policies = await uow.machine_policies.all()
            pending = {item.key for item in await uow.queue.pending(HEALTH_CHECK)}
            for target in await uow.targets.list():
                assert target.id is not None
                if not target.enabled or check_key(target.id) in pending:
                    continue
                policy = policies.get(target.policy.lower(), DEFAULT_MACHINE_POLICY)
                due = next_check(target, policy, now)
                await uow.queue.enqueue(HEALTH_CHECK, check_key(target.id), {"target_id": target.id}, due)
                scheduled += 1
        return scheduled

    async def __call__(self, item: WorkItem, lease: object, finish: FinishItem) -> bool:
        """The `health-check` work item handler: check the target as it is now (gone or disabled: nothing)."""
        try:
            async with self.store.reading() as uow:
                target = await uow.targets.get(int(item.payload["target_id"]))
        except NotFound:
            target = None
        if target is not None and target.enabled:
            await run_health_check(self.store, self.probe, self.clock, target, actor=None)
        async with self.store.transaction() as uow:
            await finish(uow)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        await repeat(self.tick, self.every_seconds, stop, what="scheduling health checks", log=log)
