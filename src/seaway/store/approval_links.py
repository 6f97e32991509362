"""Approval links, found by the SHA-256 of their token (the token itself is never stored).

`consume` is the single-use guarantee: one conditional UPDATE that succeeds for exactly one caller, in
the same transaction as the decision it makes.
"""

from __future__ import annotations

from datetime import datetime

from seaway.domain.interruptions import ApprovalLink
from seaway.store import link_tokens
from seaway.store.link_tokens import LinkRepository
from seaway.store.tables import approval_links as t


class ApprovalLinkRepository(LinkRepository[ApprovalLink]):
    table = t
    owner = t.c.interruption_id
    link_type = ApprovalLink

    async def consume(self, token_hash: str, now: datetime) -> ApprovalLink | None:
        """Mark the link used if it is still usable; None when it is unknown, used, revoked or expired."""
        stmt = t.update().where(link_tokens.usable(t, token_hash, now)).values(used_at=now).returning(*t.c)
        row = (await self.conn.execute(stmt)).first()
        return self._from_row(row) if row else None

    async def revoke_for_interruption(self, interruption_id: int, now: datetime, *, user_id: int | None = None) -> int:
        """Void the links of an interruption that are still open (only `user_id`'s, before sending them new
        ones); returns how many."""
        return await self._revoke_open(interruption_id, now, user_id)

    async def list_for_interruption(self, interruption_id: int) -> list[ApprovalLink]:
        return await self._list_of(interruption_id)
