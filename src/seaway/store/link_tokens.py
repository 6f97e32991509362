"""What every approval-link table shares, whoever owns its links (an interruption, a change request): a link
is usable while unused, unrevoked and unexpired; its first opening is recorded; the owner's open links are
revoked together. A link's record is its dataclass field for field, so one repository serves every kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import sqlalchemy as sa

from seaway.domain.interruptions import Result
from seaway.store.base import Repository, row_as
from seaway.store.database import StoreConnection

# Filled by the store as the link lives, never at its creation.
_LATER_FIELDS = frozenset({"opened_at", "used_at", "revoked_at", "id"})


class Link(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def decision(self) -> Result: ...


L = TypeVar("L", bound=Link)


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


class LinkRepository(Repository, Generic[L]):
    """The links of one table, read and written as `link_type`; `owner` is the column naming whose they are."""

    table: ClassVar[sa.Table]
    owner: ClassVar[sa.Column[Any]]
    link_type: type[L]

    def _from_row(self, row: Any) -> L:
        return row_as(self.link_type, row)

    async def add_many(self, links: Sequence[L]) -> None:
        if not links:
            return
        names = [f.name for f in fields(self.link_type) if f.name not in _LATER_FIELDS]
        rows = [{name: getattr(link, name) for name in names} | {"decision": link.decision.value} for link in links]
        await self.conn.execute(self.table.insert(), rows)

    async def find_by_hash(self, token_hash: str) -> L | None:
        stmt = sa.select(self.table).where(self.table.c.token_hash == token_hash)
        row = (await self.conn.execute(stmt)).first()
        return self._from_row(row) if row else None

    async def mark_opened(self, link_id: int, now: datetime) -> None:
        """Telemetry only: the first time the link's page was fetched (often a mail scanner, not a person)."""
        await mark_opened(self.conn, self.table, link_id, now)

    async def _revoke_open(self, owner_id: int, now: datetime, user_id: int | None) -> int:
        return await revoke_open(self.conn, self.owner, owner_id, now, user_id=user_id)

    async def _list_of(self, owner_id: int) -> list[L]:
        stmt = sa.select(self.table).where(self.owner == owner_id).order_by(self.table.c.id)
        return [self._from_row(r) for r in await self.conn.execute(stmt)]
