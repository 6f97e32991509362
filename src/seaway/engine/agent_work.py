"""The work the server asks of polling agents, from both ends: `AgentWork.call` (what `AgentTarget` waits
on) and what the agent listener does for an agent asking for work and reporting back.

Every item is a row (`store/agent_work.py`), so it does not matter which node the agent talks to. A waiter
is woken at once when the report reaches its own process, and otherwise looks at the row every
`poll_seconds`; an agent's long poll is woken the same way when work for it is added.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seaway.domain.agents import (
    DEFAULT_AGENT_TIMEOUT_SECONDS,
    AgentRegistration,
    AgentWorkItem,
    WorkState,
    last_seen_text,
    not_picked_up_message,
)
from seaway.domain.targets import DeploymentTarget
from seaway.engine.clock import Clock
from seaway.errors import NotFound, TargetError
from seaway.store.unit_of_work import Store, UnitOfWork
from seaway.targets.agent import AgentCall, AgentReply


@dataclass(frozen=True)
class Handout:
    """What an agent's request for work gets: items to start (or to pick up again after a restart), and
    which of its running ones to stop."""

    work: list[AgentWorkItem]
    cancel: list[int]


class _Wakers:
    """In-process wake-ups, by key: every waiter of a key gets its own event."""

    def __init__(self) -> None:
        self._events: defaultdict[int, set[asyncio.Event]] = defaultdict(set)

    @contextlib.contextmanager
    def watch(self, key: int) -> Any:
        event = asyncio.Event()
        self._events[key].add(event)
        try:
            yield event
        finally:
            self._events[key].discard(event)
            if not self._events[key]:
                del self._events[key]

    def wake(self, key: int) -> None:
        for event in self._events.get(key, ()):
            event.set()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), max(seconds, 0.0))
    event.clear()


# How stale the recorded last request may get: far below any sensible timeout, and a commit saved per request.
SEEN_EVERY_SECONDS = 5.0


class AgentWork:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        pickup_timeout: float = DEFAULT_AGENT_TIMEOUT_SECONDS,
        poll_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.pickup_timeout = pickup_timeout
        self.poll_seconds = poll_seconds
        self._items = _Wakers()  # by work id: a report came in
        self._agents = _Wakers()  # by target id: work was added, or a cancel requested
        self._served: list[int] = []  # items whose result was read, deleted with the next one added

    # The server's side: what AgentTarget waits on.

    async def home(self, target: DeploymentTarget) -> str:
        async with self.store.reading() as uow:
            registration = await uow.agents.find(_id(target))
        if registration is None or not registration.home:
            raise TargetError(f"{target.name} has no registered agent; run `seaway agent register` there")
        return registration.home

    async def call(self, target: DeploymentTarget, work: AgentCall) -> AgentReply:
        target_id = _id(target)
        served, self._served = self._served, []
        async with self.store.transaction() as uow:
            for done in served:  # read results: their rows have served their purpose (one commit saved each)
                await uow.agent_work.delete(done)
            work_id = await uow.agent_work.add(target_id, work.kind, dict(work.payload), self.clock.now(), work.content)
            uow.after_commit(lambda: self._agents.wake(target_id))
        try:
            return await self._follow(target, work_id, work)
        finally:
            self._served.append(work_id)

    async def _follow(self, target: DeploymentTarget, work_id: int, work: AgentCall) -> AgentReply:
        on_line, cancel = work.on_line, work.cancel
        started = self.clock.now()
        seq, cancel_sent = 0, False
        with self._items.watch(work_id) as reported:
            while True:
                async with self.store.reading() as uow:
                    item = await uow.agent_work.get(work_id)
                    lines = await uow.agent_work.lines_from(work_id, seq) if on_line is not None else []
                    registration = await uow.agents.find(item.target_id)
                    content = await uow.agent_work.content(work_id) if item.state is WorkState.DONE else None
                for number, level, text in lines:
                    if on_line is not None:
                        await on_line(level, text)
                    seq = number + 1
                if item.state is WorkState.DONE:
                    return AgentReply(item.result or {}, content)
                waited = (self.clock.now() - started).total_seconds()
                if item.state is WorkState.PENDING:
                    if cancel is not None and cancel.is_set() and await self._withdraw(work_id):
                        return AgentReply({"exit_code": -1, "canceled": True})
                    if waited > self.pickup_timeout and await self._withdraw(work_id):
                        # an offline agent is an unavailable target: skipped where the project says so
                        raise TargetError(
                            not_picked_up_message(target.name, registration, self.pickup_timeout), retryable=True
                        )
                elif _offline(registration, self.clock, self.pickup_timeout):
                    raise TargetError(
                        f"the agent of {target.name} stopped asking for work while it ran this: "
                        f"{last_seen_text(registration)}",
                        retryable=True,
                    )
                if cancel is not None and cancel.is_set() and not cancel_sent and item.state is WorkState.CLAIMED:
                    cancel_sent = True
                    async with self.store.transaction() as uow:
                        await uow.agent_work.request_cancel(work_id)
                        uow.after_commit(functools.partial(self._agents.wake, item.target_id))
                await self._pause(reported, cancel if not cancel_sent else None)

    async def _pause(self, reported: asyncio.Event, cancel: asyncio.Event | None) -> None:
        """Until a report comes in, the cancel is set, or it is time to look at the row again."""
        waiters = [asyncio.create_task(reported.wait())]
        if cancel is not None:
            waiters.append(asyncio.create_task(cancel.wait()))
        try:
            await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        reported.clear()

    async def _withdraw(self, work_id: int) -> bool:
        async with self.store.transaction() as uow:
            return await uow.agent_work.expire(work_id, self.clock.now())

    # The agent's side: what the agent listener does for it.

    async def hand_out(
        self,
        registration: AgentRegistration,
        running: Collection[int],
        *,
        wait: float,
        version: str,
        hostname: str,
    ) -> Handout:
        """Record that the agent asked; then its work (claimed now), as soon as there is some or a cancel
        for one of `running`, or nothing after `wait` seconds."""
        target_id = registration.target_id
        now, seen = self.clock.now(), registration.last_seen_at
        if seen is None or (now - seen).total_seconds() >= SEEN_EVERY_SECONDS or registration.version != version:
            async with self.store.transaction() as uow:  # not at every request: a commit each is a lot
                await uow.agents.seen(target_id, now, version=version, hostname=hostname)
        # Answered well within the timeout, so a healthy agent's last request is never older than it.
        deadline = asyncio.get_running_loop().time() + min(wait, self.pickup_timeout / 3)
        with self._agents.watch(target_id) as added:
            while True:
                async with self.store.reading() as uow:
                    fresh = await uow.agent_work.open_ids(target_id) - set(running)
                    cancels = await uow.agent_work.cancels(target_id, running)
                if fresh or cancels:
                    async with self.store.transaction() as uow:
                        work = await uow.agent_work.claim(target_id, self.clock.now(), besides=running)
                    if work or cancels:
                        return Handout(work, cancels)
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    return Handout([], [])
                await _wait(added, min(left, self.poll_seconds))

    async def take_lines(self, target_id: int, work_id: int, first: int, lines: Sequence[tuple[str, str]]) -> int:
        async with self.store.transaction() as uow:
            await self._owned(uow, target_id, work_id)
            have = await uow.agent_work.add_lines(work_id, first, lines)
            uow.after_commit(lambda: self._items.wake(work_id))
        return have

    async def take_result(
        self, target_id: int, work_id: int, reported: Mapping[str, object], lines: tuple[int, Sequence[tuple[str, str]]]
    ) -> None:
        """The result, and the last lines with it (`(first, lines)`), in one commit; a file that came with it
        (`content`, base64) is kept beside the result, not in it."""
        result = {key: value for key, value in reported.items() if key != "content"}
        content = reported.get("content")
        data = base64.b64decode(content) if isinstance(content, str) else None
        async with self.store.transaction() as uow:
            await self._owned(uow, target_id, work_id)
            if lines[1]:
                await uow.agent_work.add_lines(work_id, *lines)
            await uow.agent_work.finish(work_id, target_id, result, self.clock.now(), data)
            uow.after_commit(lambda: self._items.wake(work_id))

    async def content_for(self, target_id: int, work_id: int) -> bytes:
        async with self.store.reading() as uow:
            await self._owned(uow, target_id, work_id)
            return await uow.agent_work.content(work_id) or b""

    @staticmethod
    async def _owned(uow: UnitOfWork, target_id: int, work_id: int) -> AgentWorkItem:
        """The item, if it is this agent's; the NotFound of an unknown one otherwise."""
        item = await uow.agent_work.get(work_id)
        if item.target_id != target_id:
            raise NotFound(f"agent work {work_id} does not exist", entity="agent work", id=str(work_id))
        return item


def _id(target: DeploymentTarget) -> int:
    assert target.id is not None
    return target.id


def _offline(registration: AgentRegistration | None, clock: Clock, timeout: float) -> bool:
    seen = registration.last_seen_at if registration is not None else None
    return seen is None or (clock.now() - seen).total_seconds() > timeout
