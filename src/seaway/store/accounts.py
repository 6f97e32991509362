"""Accounts for deployment targets; their secrets are kept encrypted with the master key."""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from seaway.domain.targets import Account, AccountType
from seaway.store.base import Repository
from seaway.store.tables import accounts as t
from seaway.store.tables import targets


class AccountRepository(Repository):
    def _from_row(self, row: Any) -> Account:
        return Account(row.name, AccountType(row.type), row.username, self.cipher.decrypt(row.secret), row.id)

    async def list(self) -> builtins.list[Account]:
        return [self._from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.name_key))]

    async def get(self, account_id: int) -> Account:
        return self._from_row(await self._one(sa.select(t).where(t.c.id == account_id), "account", account_id))

    async def find_by_name(self, name: str) -> Account | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return self._from_row(row) if row else None

    async def get_by_name(self, name: str) -> Account:
        return self._from_row(await self._one(sa.select(t).where(t.c.name_key == name.lower()), "account", name))

    async def add(self, account: Account) -> Account:
        return replace(account, id=await self._insert(t, self._values(account)))

    async def save(self, account: Account) -> Account:
        assert account.id is not None
        await self.conn.execute(t.update().where(t.c.id == account.id).values(**self._values(account)))
        return account

    async def delete(self, account_id: int) -> None:
        await self.get(account_id)
        await self.conn.execute(t.delete().where(t.c.id == account_id))

    async def used_by(self, account_id: int) -> builtins.list[str]:
        """The names of the targets that reach their machines with this account."""
        rows = await self.conn.execute(
            sa.select(targets.c.name).where(targets.c.account_id == account_id).order_by(targets.c.name_key)
        )
        return [row.name for row in rows]

    def _values(self, account: Account) -> dict[str, Any]:
        return {
            "name": account.name,
            "name_key": account.name.lower(),
            "type": str(account.type),
            "username": account.username,
            "secret": self.cipher.encrypt(account.secret),
        }
