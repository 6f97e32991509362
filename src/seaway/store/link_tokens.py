"""What every approval-link table shares, whoever owns its links (an interruption, a change request): a link
is usable while unused, unrevoked and unexpired; its first opening is recorded; the owner's open links are
revoked together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.store.database import StoreConnection


def usable(table: sa.Table, token_hash: str, now: datetime) -> Any:
    """The condition of a link that may still decide: `consume` spends it with one conditional UPDATE."""
    c = table.c
    return sa.and_(c.token_hash == token_hash, c.used_at.is_(None), c.revoked_at.is_(None), c.expires_at > now)


async def mark_opened(conn: StoreConnection, table: sa.Table, link_id: int, now: datetime) -> None:
    """Telemetry only: the first time the link's page was fetched (often a mail scanner, not a person)."""
    c = table.c
    await conn.execute(table.update().where(c.id == link_id, c.opened_at.is_(None)).values(opened_at=now))


async def revoke_open(
    conn: StoreConnection, owner: sa.Column[Any], owner_id: int, now: datetime, *, user_id: int | None = None
) -> int:
    """Void the links of `owner_id` still open (only `user_id`'s when given); how many."""
    table = owner.table
    c = table.c
    stmt = table.update().where(owner == owner_id, c.used_at.is_(None), c.revoked_at.is_(None)).values(revoked_at=now)
    if user_id is not None:
        stmt = stmt.where(c.user_id == user_id)
    return int((await conn.execute(stmt)).rowcount or 0)
