"""API keys: stored as hashes with their purpose, prefix, expiry, last use and revocation.

`find_by_hash` runs on every API request: one indexed look-up (`key_hash` is unique) that reads the key
and its user together, so the caller can say why a key does not work (revoked, expired, a disabled user).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.api_keys import LAST_USE_PRECISION, ApiKey
from seaway.domain.ids import format_id
from seaway.domain.users import User
from seaway.store.base import Repository, row_as
from seaway.store.tables import api_keys as t
from seaway.store.tables import users
from seaway.store.users import USER_COLUMNS
from seaway.store.users import _from_row as user_from_row


@dataclass(frozen=True)
class KeyHolder:
    """A key found by its hash, and the user it belongs to."""

    key: ApiKey
    user: User


def _from_row(row: Any) -> ApiKey:
    return row_as(ApiKey, row, purpose=row.name)


class ApiKeyRepository(Repository):
    async def add(
        self,
        user_id: int,
        purpose: str,
        key_hash: str,
        now: datetime,
        *,
        prefix: str = "",
        expires_at: datetime | None = None,
    ) -> ApiKey:
        values = {
            "user_id": user_id,
            "name": purpose,
            "key_hash": key_hash,
            "created_at": now,
            "prefix": prefix,
            "expires_at": expires_at,
        }
        new_id = await self._insert(t, values)
        return ApiKey(user_id, purpose, prefix, now, expires_at, id=new_id)

    async def get(self, key_id: int) -> ApiKey:
        stmt = sa.select(*_KEY_COLUMNS).where(t.c.id == key_id)
        return _from_row(await self._one(stmt, "api_key", format_id("api_key", key_id)))

    async def list_for_user(self, user_id: int) -> list[ApiKey]:
        """Oldest first."""
        rows = await self.conn.execute(sa.select(*_KEY_COLUMNS).where(t.c.user_id == user_id).order_by(t.c.id))
        return [_from_row(r) for r in rows]

    async def find_by_hash(self, key_hash: str) -> KeyHolder | None:
        row = (await self.conn.execute(_KEY_BY_HASH, {"b_key_hash": key_hash})).first()
        if row is None:
            return None
        key = ApiKey(
            user_id=row.id,
            purpose="",
            prefix="",
            created_at=row.key_created_at,
            expires_at=row.key_expires_at,
            last_used_at=row.key_last_used_at,
            revoked_at=row.key_revoked_at,
            id=row.key_id,
        )
        return KeyHolder(key, user_from_row(row))

    async def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke the key unless it already was; True when this call revoked it."""
        result = await self.conn.execute(
            t.update().where(t.c.id == key_id, t.c.revoked_at.is_(None)).values(revoked_at=now)
        )
        return bool(result.rowcount)

    async def record_use(self, key_id: int, now: datetime) -> None:
        """Set the last use, unless another request recorded one less than a minute ago."""
        await self.conn.execute(_RECORD_USE, {"b_id": key_id, "b_now": now, "b_stale": now - LAST_USE_PRECISION})


_KEY_COLUMNS = (
    t.c.id,
    t.c.user_id,
    t.c.name,
    t.c.prefix,
    t.c.created_at,
    t.c.expires_at,
    t.c.last_used_at,
    t.c.revoked_at,
)
# Built once: every API request runs it, and building a statement costs more than running it.
_KEY_BY_HASH = (
    sa.select(
        *USER_COLUMNS,
        t.c.id.label("key_id"),
        t.c.created_at.label("key_created_at"),
        t.c.expires_at.label("key_expires_at"),
        t.c.last_used_at.label("key_last_used_at"),
        t.c.revoked_at.label("key_revoked_at"),
    )
    .join(t, t.c.user_id == users.c.id)
    .where(t.c.key_hash == sa.bindparam("b_key_hash"))
)
_RECORD_USE = (
    t.update()
    .where(
        t.c.id == sa.bindparam("b_id"),
        sa.or_(t.c.last_used_at.is_(None), t.c.last_used_at <= sa.bindparam("b_stale")),
    )
    .values(last_used_at=sa.bindparam("b_now"))
)
