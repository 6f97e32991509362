"""Accounts for deployment targets; their secrets are kept encrypted with the master key."""

from __future__ import annotations

import builtins
from typing import Any

import sqlalchemy as sa

from seaway.domain.targets import Account, AccountType
from seaway.store.base import NamedRepository
from seaway.store.tables import accounts as t
from seaway.store.tables import targets


class AccountRepository(NamedRepository[Account]):
    table, entity = t, "account"

    def _record(self, row: Any) -> Account:
        return Account(row.name, AccountType(row.type), row.username, self.cipher.decrypt(row.secret), row.id)

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
