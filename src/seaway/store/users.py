from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.users import User
from seaway.store.access import grants_from_json
from seaway.store.base import Repository
from seaway.store.codecs import Cipher
from seaway.store.database import StoreConnection
from seaway.store.tables import api_keys, users


def _from_row(row: Any) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        is_admin=row.is_admin,
        active=row.active,
        id=row.id,
        service_account=row.service_account,
        grants=grants_from_json(row.grants),
    )


class UserRepository(Repository):
    def __init__(self, conn: StoreConnection, cipher: Cipher, on_change: Callable[[], None]) -> None:
        super().__init__(conn, cipher)
        self._on_change = on_change  # a new or renamed user may be named in a team already

    async def list(self) -> list[User]:
        return [_from_row(r) for r in await self.conn.execute(sa.select(users).order_by(users.c.id))]

    async def get(self, user_id: int) -> User:
        return _from_row(await self._one(sa.select(users).where(users.c.id == user_id), "user", user_id))

    async def find_by_username(self, username: str) -> User | None:
        row = (await self.conn.execute(sa.select(users).where(users.c.username_key == username.lower()))).first()
        return _from_row(row) if row else None

    async def get_by_username(self, username: str) -> User:
        stmt = sa.select(users).where(users.c.username_key == username.lower())
        return _from_row(await self._one(stmt, "user", username))

    async def find_many(self, usernames: builtins.list[str]) -> builtins.list[User]:
        keys = [u.lower() for u in usernames]
        rows = await self.conn.execute(sa.select(users).where(users.c.username_key.in_(keys)).order_by(users.c.id))
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

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        await self.conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))

    async def password_hash(self, user_id: int) -> str | None:
        row = (await self.conn.execute(sa.select(users.c.password_hash).where(users.c.id == user_id))).first()
        return row.password_hash if row else None

    async def add_api_key(self, user_id: int, name: str, key_hash: str, now: datetime) -> int:
        return await self._insert(api_keys, {"user_id": user_id, "name": name, "key_hash": key_hash, "created_at": now})

    async def find_by_api_key_hash(self, key_hash: str) -> User | None:
        """The key's user, in one indexed look-up (`key_hash` is unique). Run on every API request."""
        row = (await self.conn.execute(_USER_BY_KEY_HASH, {"b_key_hash": key_hash})).first()
        return _from_row(row) if row else None

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


# Built once: a statement built anew for each request costs more than running it (its compiled form is cached
# by the statement's identity).
_USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.display_name,
    users.c.email,
    users.c.is_admin,
    users.c.active,
    users.c.service_account,
    users.c.grants,
)
_USER_BY_KEY_HASH = (
    sa.select(*_USER_COLUMNS)
    .join(api_keys, api_keys.c.user_id == users.c.id)
    .where(api_keys.c.key_hash == sa.bindparam("b_key_hash"))
)
