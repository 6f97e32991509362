"""Change requests' approval links, found by the SHA-256 of their token (the token itself is never stored).

`consume` is the single-use guarantee, as for an interruption's links: one conditional UPDATE that succeeds
for exactly one caller, in the transaction of the decision it makes.
"""

from __future__ import annotations

from datetime import datetime

from seaway.domain.change_requests import ChangeRequestLink
from seaway.store import link_tokens
from seaway.store.link_tokens import LinkRepository
from seaway.store.policy_tables import change_request_links as t


class ChangeRequestLinkRepository(LinkRepository[ChangeRequestLink]):
    table = t
    owner = t.c.change_request_id
    link_type = ChangeRequestLink

    async def consume(self, token_hash: str, now: datetime) -> bool:
        stmt = t.update().where(link_tokens.usable(t, token_hash, now)).values(used_at=now)
        return bool((await self.conn.execute(stmt)).rowcount)

    async def revoke(self, change_request_id: int, now: datetime, *, user_id: int | None = None) -> int:
        """Void the request's links still open (only `user_id`'s: they decided another way); how many."""
        return await self._revoke_open(change_request_id, now, user_id)

    async def list_for(self, change_request_id: int) -> list[ChangeRequestLink]:
        return await self._list_of(change_request_id)
