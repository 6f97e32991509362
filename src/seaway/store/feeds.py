"""External feeds; their passwords are kept encrypted with the master key."""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from seaway.domain.packages import Feed, FeedType
from seaway.store.base import Repository
from seaway.store.tables import feeds as t


class FeedRepository(Repository):
    def _from_row(self, row: Any) -> Feed:
        password = self.cipher.decrypt(row.password) if row.password else None
        return Feed(row.name, FeedType(row.type), row.url, row.username, password, row.id)

    async def list(self) -> builtins.list[Feed]:
        return [self._from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.id))]

    async def find_by_name(self, name: str) -> Feed | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return self._from_row(row) if row else None

    async def get_by_name(self, name: str) -> Feed:
        return self._from_row(await self._one(sa.select(t).where(t.c.name_key == name.lower()), "feed", name))

    async def add(self, feed: Feed) -> Feed:
        return replace(feed, id=await self._insert(t, self._values(feed)))

    async def save(self, feed: Feed) -> Feed:
        await self.conn.execute(t.update().where(t.c.id == feed.id).values(**self._values(feed)))
        return feed

    def _values(self, feed: Feed) -> dict[str, Any]:
        return {
            "name": feed.name,
            "name_key": feed.name.lower(),
            "type": str(feed.type),
            "url": feed.url,
            "username": feed.username,
            "password": self.cipher.encrypt(feed.password) if feed.password else None,
        }
