"""The work the server asks of polling agents, one row per request, and the log lines each sends back.

A pending item is claimed once; a claimed one is never pending again, so it cannot be handed out to be
started twice. Its result is written once (`finish` is conditional), whichever node the agent reports to.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.agents import AgentWorkItem, WorkKind, WorkState
from seaway.store.agent_tables import agent_work as w
from seaway.store.agent_tables import agent_work_lines as lines
from seaway.store.base import Repository

_ITEM = (
    w.c.id,
    w.c.target_id,
    w.c.kind,
    w.c.payload,
    w.c.state,
    w.c.created_at,
    w.c.cancel_requested,
    w.c.result,
    w.c.claimed_at,
)


def _from_row(row: Any) -> AgentWorkItem:
    return AgentWorkItem(
        id=row.id,
        target_id=row.target_id,
        kind=WorkKind(row.kind),
        payload=dict(row.payload),
        state=WorkState(row.state),
        created_at=row.created_at,
        cancel_requested=row.cancel_requested,
        result=dict(row.result) if row.result is not None else None,
        claimed_at=row.claimed_at,
    )


class AgentWorkRepository(Repository):
    async def add(
        self, target_id: int, kind: WorkKind, payload: dict[str, Any], now: datetime, content: bytes | None = None
    ) -> int:
        values = {"target_id": target_id, "kind": str(kind), "payload": payload, "state": str(WorkState.PENDING)}
        return await self._insert(w, {**values, "created_at": now, "content": content})

    async def get(self, work_id: int) -> AgentWorkItem:
        return _from_row(await self._one(sa.select(*_ITEM).where(w.c.id == work_id), "agent work", work_id))

    async def claim(self, target_id: int, now: datetime, *, besides: Collection[int]) -> builtins.list[AgentWorkItem]:
        """Claim the target's pending items; every claimed, unfinished item of the target but those in
        `besides` (the ones its agent says it is already running), oldest first, those claimed before
        marked `resumed`."""
        before = await self.conn.execute(
            sa.select(w.c.id).where(w.c.target_id == target_id, w.c.state == str(WorkState.CLAIMED))
        )
        resumed = {int(r.id) for r in before}
        await self.conn.execute(
            w.update()
            .where(w.c.target_id == target_id, w.c.state == str(WorkState.PENDING))
            .values(state=str(WorkState.CLAIMED), claimed_at=now)
        )
        query = sa.select(*_ITEM).where(w.c.target_id == target_id, w.c.state == str(WorkState.CLAIMED))
        if besides:
            query = query.where(w.c.id.not_in(list(besides)))
        items = [_from_row(r) for r in await self.conn.execute(query.order_by(w.c.id))]
        return [replace(item, resumed=item.id in resumed) for item in items]

    async def open_ids(self, target_id: int) -> set[int]:
        """The target's items that are pending or claimed and not finished."""
        open_states = [str(WorkState.PENDING), str(WorkState.CLAIMED)]
        query = sa.select(w.c.id).where(w.c.target_id == target_id, w.c.state.in_(open_states))
        return {int(r.id) for r in await self.conn.execute(query)}

    async def cancels(self, target_id: int, among: Collection[int]) -> builtins.list[int]:
        """Which of `among` (the agent's running items) the server wants stopped."""
        if not among:
            return []
        query = sa.select(w.c.id).where(
            w.c.target_id == target_id, w.c.id.in_(list(among)), w.c.cancel_requested.is_(True)
        )
        return [int(r.id) for r in await self.conn.execute(query)]

    async def request_cancel(self, work_id: int) -> None:
        await self.conn.execute(w.update().where(w.c.id == work_id).values(cancel_requested=True))

    async def expire(self, work_id: int, now: datetime) -> bool:
        """Withdraw an item its agent has not picked up; False if it was picked up meanwhile."""
        result = await self.conn.execute(
            w.update()
            .where(w.c.id == work_id, w.c.state == str(WorkState.PENDING))
            .values(state=str(WorkState.EXPIRED), finished_at=now)
        )
        return bool(result.rowcount)

    async def finish(
        self, work_id: int, target_id: int, result: dict[str, Any], now: datetime, content: bytes | None = None
    ) -> bool:
        """Write the item's result once; False when it was written already (a report sent again)."""
        values: dict[str, Any] = {"state": str(WorkState.DONE), "result": result, "finished_at": now}
        if content is not None:
            values["content"] = content
        done = await self.conn.execute(
            w.update()
            .where(w.c.id == work_id, w.c.target_id == target_id, w.c.state == str(WorkState.CLAIMED))
            .values(**values)
        )
        return bool(done.rowcount)

    async def content(self, work_id: int) -> bytes | None:
        row = (await self.conn.execute(sa.select(w.c.content).where(w.c.id == work_id))).first()
        return bytes(row.content) if row is not None and row.content is not None else None

    async def add_lines(self, work_id: int, first: int, sent: Sequence[tuple[str, str]]) -> int:
        """Keep the lines numbered `first`… that are not kept yet (an agent that restarted sends them again);
        how many lines the item has now."""
        have = await self.line_count(work_id)
        fresh = [
            {"work_id": work_id, "seq": first + i, "level": level[:10], "line": text}
            for i, (level, text) in enumerate(sent)
            if first + i >= have
        ]
        if fresh and fresh[0]["seq"] == have:
            await self.conn.execute(lines.insert(), fresh)
            return have + len(fresh)
        return have

    async def line_count(self, work_id: int) -> int:
        query = sa.select(sa.func.count()).select_from(lines).where(lines.c.work_id == work_id)
        return int((await self.conn.execute(query)).scalar_one())

    async def lines_from(self, work_id: int, seq: int) -> builtins.list[tuple[int, str, str]]:
        query = (
            sa.select(lines.c.seq, lines.c.level, lines.c.line)
            .where(lines.c.work_id == work_id, lines.c.seq >= seq)
            .order_by(lines.c.seq)
        )
        return [(int(r.seq), str(r.level), str(r.line)) for r in await self.conn.execute(query)]

    async def delete(self, work_id: int) -> None:
        await self.conn.execute(lines.delete().where(lines.c.work_id == work_id))
        await self.conn.execute(w.delete().where(w.c.id == work_id))
