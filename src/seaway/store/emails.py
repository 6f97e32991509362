"""Outgoing emails: a row per message, written in the transaction of the change that caused it.

States: `queued` (waiting for delivery), `sent`, `failed` (permanently refused or given up), `kept` (no
SMTP server is configured: the outbox). Bodies pass through the cipher, so approval-link tokens inside
an approval email never sit in the database in clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from seaway.store.base import Repository, row_as
from seaway.store.dialects import insert_ignoring_conflict
from seaway.store.tables import emails as t


class EmailState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    KEPT = "kept"


@dataclass(frozen=True)
class StoredEmail:
    id: int
    dedupe_key: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    state: EmailState
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class EmailRepository(Repository):
    def _from_row(self, row: Any) -> StoredEmail:
        return row_as(
            StoredEmail,
            row,
            to=tuple(row.recipients),
            text=self.cipher.decrypt(row.text),
            html=self.cipher.decrypt(row.html) if row.html is not None else None,
        )

    async def add(
        self,
        *,
        key: str,
        to: Sequence[str],
        subject: str,
        text: str,
        html: str | None,
        now: datetime,
    ) -> int | None:
        """Store a queued email; None when one with this key exists already (queued once, sent once)."""
        values = {
            "dedupe_key": key,
            "recipients": list(to),
            "subject": subject,
            "text": self.cipher.encrypt(text),
            "html": self.cipher.encrypt(html) if html is not None else None,
            "state": EmailState.QUEUED.value,
            "created_at": now,
        }
        stmt = insert_ignoring_conflict(self.conn, t, ["dedupe_key"]).values(**values).returning(t.c.id)
        return (await self.conn.execute(stmt)).scalar_one_or_none()

    async def get(self, email_id: int) -> StoredEmail:
        return self._from_row(await self._one(sa.select(t).where(t.c.id == email_id), "email", email_id))

    async def find(self, email_id: int) -> StoredEmail | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.id == email_id))).first()
        return self._from_row(row) if row else None

    async def find_by_key(self, key: str) -> StoredEmail | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.dedupe_key == key))).first()
        return self._from_row(row) if row else None

    async def list(self, *, state: EmailState | None = None, limit: int = 200) -> list[StoredEmail]:
        """Newest first."""
        stmt = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(t.c.state == state.value)
        return [self._from_row(r) for r in await self.conn.execute(stmt)]

    async def record_attempt(self, email_id: int, error: str | None) -> None:
        await self.conn.execute(
            t.update().where(t.c.id == email_id).values(attempts=t.c.attempts + 1, last_error=_short(error))
        )

    async def mark_sent(self, email_id: int, now: datetime) -> None:
        await self.conn.execute(
            t.update()
            .where(t.c.id == email_id)
            .values(state=EmailState.SENT.value, sent_at=now, attempts=t.c.attempts + 1)
        )

    async def mark_failed(self, email_id: int, error: str) -> None:
        await self.conn.execute(
            t.update()
            .where(t.c.id == email_id)
            .values(state=EmailState.FAILED.value, last_error=_short(error), attempts=t.c.attempts + 1)
        )

    async def mark_kept(self, email_id: int) -> None:
        await self.conn.execute(t.update().where(t.c.id == email_id).values(state=EmailState.KEPT.value))


def _short(error: str | None) -> str | None:
    return error[:2000] if error is not None else None
