"""Machine policies as stored; "Default Machine Policy" is there even without a row (`policy` and `all`)."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, MachinePolicy, PolicyConnectivity
from seaway.store.base import Repository
from seaway.store.target_tables import machine_policies as t


class MachinePolicyRepository(Repository):
    def _from_row(self, row: Any) -> MachinePolicy:
        return MachinePolicy(
            row.name, timedelta(seconds=row.health_check_seconds), PolicyConnectivity(row.connectivity), row.id
        )

    async def list(self) -> builtins.list[MachinePolicy]:
        """The stored policies, by name."""
        return [self._from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.name_key))]

    async def all(self) -> dict[str, MachinePolicy]:
        """Every policy there is by lower-cased name, the default one included."""
        policies = {DEFAULT_MACHINE_POLICY.name.lower(): DEFAULT_MACHINE_POLICY}
        policies.update({p.name.lower(): p for p in await self.list()})
        return policies

    async def find_by_name(self, name: str) -> MachinePolicy | None:
        """A stored policy (the default one only once it has been given settings)."""
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return self._from_row(row) if row else None

    async def add(self, policy: MachinePolicy) -> MachinePolicy:
        return replace(policy, id=await self._insert(t, self._values(policy)))

    async def save(self, policy: MachinePolicy) -> MachinePolicy:
        assert policy.id is not None
        await self.conn.execute(t.update().where(t.c.id == policy.id).values(**self._values(policy)))
        return policy

    def _values(self, policy: MachinePolicy) -> dict[str, Any]:
        return {
            "name": policy.name,
            "name_key": policy.name.lower(),
            "health_check_seconds": int(policy.health_check_every.total_seconds()),
            "connectivity": str(policy.connectivity),
        }
