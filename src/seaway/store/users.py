from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.users import User
from seaway.store.access import grants_from_text
from seaway.store.base import Repository, row_as
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection
from seaway.store.tables import api_keys, users


def _from_row(row: Any) -> User:
    return row_as(User, row, grants=grants_from_text(row.grants))


class UserRepository(Repository):
    def __init__(self, conn: StoreConnection, cipher: Cipher, on_change: Callable[[], None]) -> None:
        super().__init__(conn, cipher)
        self._on_change = on_change  # a new or renamed user may be named in a team already

    async def list(self) -> list[User]:
        return [_from_row(r) for r in await self.conn.execute(sa.select(*USER_COLUMNS).order_by(users.c.id))]

    async def get(self, user_id: int) -> User:
        return _from_row(await self._one(sa.select(*USER_COLUMNS).where(users.c.id == user_id), "user", user_id))

    async def find_by_username(self, username: str) -> User | None:
        stmt = sa.select(*USER_COLUMNS).where(users.c.username_key == username.lower())
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def get_by_username(self, username: str) -> User:
        stmt = sa.select(*USER_COLUMNS).where(users.c.username_key == username.lower())
        return _from_row(await self._one(stmt, "user", username))

    async def find_many(self, usernames: builtins.list[str]) -> builtins.list[User]:
        keys = [u.lower() for u in usernames]
        stmt = sa.select(*USER_COLUMNS).where(users.c.username_key.in_(keys)).order_by(users.c.id)
        rows = await self.conn.execute(stmt)
        return [_from_row(r) for r in rows]

    async def add(self, user: User, now: datetime, password_hash: str | None = None) -> User:
        self._on_change()
        new_id = await self._insert(users, {**self._values(user), "created_at": now, "password_hash": password_hash})
        return replace(user, id=new_id, grants=())

    async def save(self, user: User) -> User:
        assert user.id is not None
        self._on_change()
        await self.conn.execute(users.update().where(users.c.id == user.id).values(**self._values(user)))
        return user

    async def delete(self, user_id: int) -> None:
        await self.get(user_id)
        await self.conn.execute(users.delete().where(users.c.id == user_id))

    async def set_password_hash(self, user_id: int, password_hash: str | None) -> None:
        await self.conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))

    async def password_hash(self, user_id: int) -> str | None:
        row = (await self.conn.execute(sa.select(users.c.password_hash).where(users.c.id == user_id))).first()
        return row.password_hash if row else None

    async def add_api_key(self, user_id: int, name: str, key_hash: str, now: datetime) -> int:
        return await self._insert(api_keys, {"user_id": user_id, "name": name, "key_hash": key_hash, "created_at": now})

    # -- sign-in: credentials and lockout (none of these change grants, so none calls `_on_change`) --------

    async def find_credentials(self, username: str) -> Credentials | None:
        """The user of this name with their password hash and lockout, in one look-up."""
        stmt = sa.select(*USER_COLUMNS, users.c.password_hash, users.c.locked_until)
        row = (await self.conn.execute(stmt.where(users.c.username_key == username.lower()))).first()
        return Credentials(_from_row(row), row.password_hash, row.locked_until) if row else None

    async def locked_until(self, user_id: int) -> datetime | None:
        row = (await self.conn.execute(sa.select(users.c.locked_until).where(users.c.id == user_id))).first()
        return row.locked_until if row else None

    async def count_failed_sign_in(self, user_id: int, now: datetime, window_start: datetime) -> int:
        """Count one failure, starting the count afresh when its first failure is older than `window_start`;
        returns the count. One UPDATE, so concurrent failures each count."""
        result = await self.conn.execute(
            _COUNT_FAILURE, {"b_id": user_id, "b_now": now, "b_window_start": window_start}
        )
        return int(result.scalar_one_or_none() or 0)

    async def lock(self, user_id: int, until: datetime, now: datetime) -> bool:
        """Lock the account until `until` and start the count afresh, unless it is locked already; True
        when this call locked it."""
        result = await self.conn.execute(
            users.update()
            .where(users.c.id == user_id, sa.or_(users.c.locked_until.is_(None), users.c.locked_until <= now))
            .values(locked_until=until, failed_sign_ins=0, first_failed_sign_in_at=None)
        )
        return bool(result.rowcount)

    async def clear_failed_sign_ins(self, user_id: int) -> None:
        """A good password (or a new one): the count starts afresh and any lock ends."""
        await self.conn.execute(_CLEAR_FAILURES, {"b_id": user_id})

    @staticmethod
    def _values(user: User) -> dict[str, Any]:
        return {
            "username": user.username,
            "username_key": user.username.lower(),
            "display_name": user.display_name,
            "email": user.email,
            "is_admin": user.is_admin,
            "active": user.active,
            "service_account": user.service_account,
        }


@dataclass(frozen=True)
class Credentials:
    user: User
    password_hash: str | None
    locked_until: datetime | None


# Built once: a statement built anew for each request costs more than running it (its compiled form is cached
# by the statement's identity).
USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.display_name,
    users.c.email,
    users.c.is_admin,
    users.c.active,
    users.c.service_account,
    # As the JSON text: decoding it is cached by that text, so a request costs no JSON parse nor a Grant built.
    sa.cast(users.c.grants, sa.Text).label("grants"),
)
_FAILURES_FORGOTTEN = sa.or_(
    users.c.first_failed_sign_in_at.is_(None), users.c.first_failed_sign_in_at <= sa.bindparam("b_window_start")
)
_COUNT_FAILURE = (
    users.update()
    .where(users.c.id == sa.bindparam("b_id"))
    .values(
        failed_sign_ins=sa.case((_FAILURES_FORGOTTEN, 1), else_=users.c.failed_sign_ins + 1),
        first_failed_sign_in_at=sa.case(
            (_FAILURES_FORGOTTEN, sa.bindparam("b_now")), else_=users.c.first_failed_sign_in_at
        ),
    )
    .returning(users.c.failed_sign_ins)
)
_CLEAR_FAILURES = (
    users.update()
    .where(users.c.id == sa.bindparam("b_id"))
    .values(failed_sign_ins=0, first_failed_sign_in_at=None, locked_until=None)
)
