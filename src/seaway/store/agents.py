"""Polling agents' registrations: the hash of each one's secret and what it last reported of itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.agents import AgentRegistration
from seaway.store.agent_tables import agents as a
from seaway.store.base import Repository, row_as


def _from_row(row: Any) -> AgentRegistration:
    return row_as(AgentRegistration, row)


class AgentRepository(Repository):
    async def find(self, target_id: int) -> AgentRegistration | None:
        row = (await self.conn.execute(sa.select(a).where(a.c.target_id == target_id))).first()
        return _from_row(row) if row else None

    async def find_by_secret(self, secret_hash: str) -> AgentRegistration | None:
        row = (await self.conn.execute(sa.select(a).where(a.c.secret_hash == secret_hash))).first()
        return _from_row(row) if row else None

    async def register(self, target_id: int, secret_hash: str, now: datetime, *, home: str, hostname: str) -> None:
        """A new secret for the target's agent; the one it had (if any) stops working."""
        await self.conn.execute(a.delete().where(a.c.target_id == target_id))
        values = {"secret_hash": secret_hash, "registered_at": now, "home": home, "hostname": hostname[:255]}
        await self.conn.execute(a.insert().values(target_id=target_id, **values))

    async def seen(self, target_id: int, now: datetime, *, version: str, hostname: str) -> None:
        await self.conn.execute(
            a.update()
            .where(a.c.target_id == target_id)
            .values(last_seen_at=now, version=version[:100], hostname=hostname[:255])
        )

    async def revoke(self, target_id: int) -> bool:
        """Forget the agent's secret, so its next request is refused; False if it had none."""
        result = await self.conn.execute(a.delete().where(a.c.target_id == target_id))
        return bool(result.rowcount)
