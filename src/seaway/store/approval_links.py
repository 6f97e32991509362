"""Approval links, found by the SHA-256 of their token (the token itself is never stored).

`consume` is the single-use guarantee: one conditional UPDATE that succeeds for exactly one caller, in
the same transaction as the decision it makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.interruptions import ApprovalLink, Result
from seaway.store import link_tokens
from seaway.store.base import Repository
from seaway.store.tables import approval_links as t


def _from_row(row: Any) -> ApprovalLink:
    return ApprovalLink(
        interruption_id=row.interruption_id,
        user_id=row.user_id,
        decision=Result(row.decision),
        token_hash=row.token_hash,
        content_hash=row.content_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        opened_at=row.opened_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
        id=row.id,
    )


class ApprovalLinkRepository(Repository):
    async def add_many(self, links: Sequence[ApprovalLink]) -> None:
        if not links:
            return
        await self.conn.execute(
            t.insert(),
            [
                {
                    "interruption_id": link.interruption_id,
                    "user_id": link.user_id,
                    "decision": link.decision.value,
                    "token_hash": link.token_hash,
                    "content_hash": link.content_hash,
                    "created_at": link.created_at,
                    "expires_at": link.expires_at,
                }
                for link in links
            ],
        )

    async def find_by_hash(self, token_hash: str) -> ApprovalLink | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.token_hash == token_hash))).first()
        return _from_row(row) if row else None

    async def consume(self, token_hash: str, now: datetime) -> ApprovalLink | None:
        """Mark the link used if it is still usable; None when it is unknown, used, revoked or expired."""
        stmt = t.update().where(link_tokens.usable(t, token_hash, now)).values(used_at=now).returning(*t.c)
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def mark_opened(self, link_id: int, now: datetime) -> None:
        """Telemetry only: the first time the link's page was fetched (often a mail scanner, not a person)."""
        await link_tokens.mark_opened(self.conn, t, link_id, now)

    async def revoke_for_interruption(self, interruption_id: int, now: datetime, *, user_id: int | None = None) -> int:
        """Void the links of an interruption that are still open (only `user_id`'s, before sending them new
        ones); returns how many."""
        return await link_tokens.revoke_open(self.conn, t.c.interruption_id, interruption_id, now, user_id=user_id)

    async def list_for_interruption(self, interruption_id: int) -> list[ApprovalLink]:
        stmt = sa.select(t).where(t.c.interruption_id == interruption_id).order_by(t.c.id)
        return [_from_row(r) for r in await self.conn.execute(stmt)]
