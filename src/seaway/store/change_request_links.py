"""Change requests' approval links, found by the SHA-256 of their token (the token itself is never stored).

`consume` is the single-use guarantee, as for an interruption's links: one conditional UPDATE that succeeds
for exactly one caller, in the transaction of the decision it makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.change_requests import ChangeRequestLink
from seaway.domain.interruptions import Result
from seaway.store import link_tokens
from seaway.store.base import Repository
from seaway.store.policy_tables import change_request_links as t


def _from_row(row: Any) -> ChangeRequestLink:
    return ChangeRequestLink(
        change_request_id=row.change_request_id,
        user_id=row.user_id,
        decision=Result(row.decision),
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        opened_at=row.opened_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
        id=row.id,
    )


class ChangeRequestLinkRepository(Repository):
    async def add_many(self, links: Sequence[ChangeRequestLink]) -> None:
        if not links:
            return
        await self.conn.execute(
            t.insert(),
            [
                {
                    "change_request_id": link.change_request_id,
                    "user_id": link.user_id,
                    "decision": link.decision.value,
                    "token_hash": link.token_hash,
                    "created_at": link.created_at,
                    "expires_at": link.expires_at,
                }
                for link in links
            ],
        )

    async def find_by_hash(self, token_hash: str) -> ChangeRequestLink | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.token_hash == token_hash))).first()
        return _from_row(row) if row else None

    async def consume(self, token_hash: str, now: datetime) -> bool:
        stmt = t.update().where(link_tokens.usable(t, token_hash, now)).values(used_at=now)
        return bool((await self.conn.execute(stmt)).rowcount)

    async def mark_opened(self, link_id: int, now: datetime) -> None:
        await link_tokens.mark_opened(self.conn, t, link_id, now)

    async def revoke(self, change_request_id: int, now: datetime, *, user_id: int | None = None) -> int:
        """Void the request's links still open (only `user_id`'s: they decided another way); how many."""
        return await link_tokens.revoke_open(self.conn, t.c.change_request_id, change_request_id, now, user_id=user_id)

    async def list_for(self, change_request_id: int) -> list[ChangeRequestLink]:
        stmt = sa.select(t).where(t.c.change_request_id == change_request_id).order_by(t.c.id)
        return [_from_row(r) for r in await self.conn.execute(stmt)]
