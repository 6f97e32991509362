"""Browser sign-in sessions, kept server-side so that signing out or expiry ends them everywhere.

The cookie carries a random token; a row keeps only its hash (as for API keys and approval links), so
a copy of the database signs nobody in. Each session has its own CSRF token for the forms it posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.store.base import Repository, row_as
from seaway.store.tables import sessions

USER_AGENT_LENGTH = 300
IP_LENGTH = 64


@dataclass(frozen=True)
class BrowserSession:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None = None  # recorded at most once a minute; None: not since sign-in

    @property
    def last_active(self) -> datetime:
        return self.last_seen_at or self.created_at


def _from_row(row: Any) -> BrowserSession:
    return row_as(BrowserSession, row)


class SessionRepository(Repository):
    async def add(
        self,
        *,
        token_hash: str,
        user_id: int,
        csrf_token: str,
        now: datetime,
        expires_at: datetime,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> BrowserSession:
        values = {
            "token_hash": token_hash,
            "user_id": user_id,
            "csrf_token": csrf_token,
            "created_at": now,
            "expires_at": expires_at,
            "ip": ip[:IP_LENGTH] if ip else None,
            "user_agent": user_agent[:USER_AGENT_LENGTH] if user_agent else None,
        }
        new_id = await self._insert(sessions, values)
        return BrowserSession(new_id, user_id, csrf_token, now, expires_at)

    async def find_by_hash(self, token_hash: str, now: datetime) -> BrowserSession | None:
        """The session with this token hash, unless it has expired."""
        row = (await self.conn.execute(_LIVE_SESSION_BY_HASH, {"b_token_hash": token_hash, "b_now": now})).first()
        return _from_row(row) if row else None

    async def delete(self, token_hash: str) -> None:
        await self.conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))

    async def delete_for_user(self, user_id: int, *, keep: int | None = None) -> int:
        """End every session of the user (but the one numbered `keep`); returns how many ended."""
        stmt = sessions.delete().where(sessions.c.user_id == user_id)
        if keep is not None:
            stmt = stmt.where(sessions.c.id != keep)
        result = await self.conn.execute(stmt)
        return int(result.rowcount or 0)

    async def record_use(self, session_id: int, now: datetime, *, stale: datetime) -> None:
        """Set the session's last use, unless another request recorded one after `stale`."""
        await self.conn.execute(_RECORD_USE, {"b_id": session_id, "b_now": now, "b_stale": stale})

    async def delete_expired(self, now: datetime) -> int:
        result = await self.conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
        return int(result.rowcount or 0)


# Built once: every signed-in page runs them, and building a statement costs more than running it.
_LIVE_SESSION_BY_HASH = sa.select(sessions).where(
    sessions.c.token_hash == sa.bindparam("b_token_hash"), sessions.c.expires_at > sa.bindparam("b_now")
)
_RECORD_USE = (
    sessions.update()
    .where(
        sessions.c.id == sa.bindparam("b_id"),
        sa.func.coalesce(sessions.c.last_seen_at, sessions.c.created_at) <= sa.bindparam("b_stale"),
    )
    .values(last_seen_at=sa.bindparam("b_now"))
)
