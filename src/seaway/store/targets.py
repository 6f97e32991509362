"""Deployment targets. A target names its account by id in the table and by name in the domain; a polling
agent has none (its registration is `store/agents.py`'s)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.targets import (
    AgentEndpoint,
    CommunicationStyle,
    DeploymentTarget,
    Endpoint,
    HealthReport,
    SshEndpoint,
)
from seaway.errors import NotFound
from seaway.store.base import NamedRepository, row_as
from seaway.store.tables import accounts
from seaway.store.tables import targets as t

_COLUMNS = (*t.c, accounts.c.name.label("account_name"))
_JOINED = t.outerjoin(accounts, t.c.account_id == accounts.c.id)


def _endpoint(row: Any) -> Endpoint:
    if row.style == CommunicationStyle.POLLING_AGENT:
        return AgentEndpoint()
    return SshEndpoint(row.host, row.port, row.account_name, row.fingerprint)


class TargetRepository(NamedRepository[DeploymentTarget]):
    table, entity = t, "target"

    def _select(self) -> sa.Select[Any]:
        return sa.select(*_COLUMNS).select_from(_JOINED)

    def _record(self, row: Any) -> DeploymentTarget:
        return row_as(DeploymentTarget, row, endpoint=_endpoint(row))

    async def add(self, target: DeploymentTarget) -> DeploymentTarget:
        health = {
            "health": str(target.health),
            "health_messages": list(target.health_messages),
            "checked_at": target.checked_at,
        }
        return replace(target, id=await self._insert(t, {**await self._columns(target), **health}))

    async def save(self, target: DeploymentTarget) -> DeploymentTarget:
        """Save what a person edits; its health is left as the last check recorded it (`record_health`)."""
        assert target.id is not None
        await self.conn.execute(t.update().where(t.c.id == target.id).values(**await self._columns(target)))
        return await self.get(target.id)

    async def record_health(self, target_id: int, report: HealthReport, checked_at: datetime) -> None:
        await self.conn.execute(
            t.update()
            .where(t.c.id == target_id)
            .values(health=str(report.status), health_messages=list(report.messages), checked_at=checked_at)
        )

    async def pin_fingerprint(self, target_id: int, fingerprint: str, *, replacing: str) -> bool:
        """Pin `fingerprint` if the target still has the one the caller saw (`replacing`); False if not."""
        result = await self.conn.execute(
            t.update().where(t.c.id == target_id, t.c.fingerprint == replacing).values(fingerprint=fingerprint)
        )
        return bool(result.rowcount)

    async def _columns(self, target: DeploymentTarget) -> dict[str, Any]:
        values = {
            "name": target.name,
            "name_key": target.name.lower(),
            "environments": list(target.environments),
            "roles": list(target.roles),
            "enabled": target.enabled,
            "policy": target.policy,
            "style": str(target.style),
        }
        endpoint = target.endpoint
        if not isinstance(endpoint, SshEndpoint):
            return {**values, "host": "", "port": 0, "account_id": None, "fingerprint": ""}
        key = endpoint.account.lower()
        account_id = (await self.conn.execute(sa.select(accounts.c.id).where(accounts.c.name_key == key))).scalar()
        if account_id is None:
            raise NotFound(f"account {endpoint.account} does not exist", entity="account", id=key)
        return {
            **values,
            "host": endpoint.host,
            "port": endpoint.port,
            "account_id": account_id,
            "fingerprint": endpoint.fingerprint,
        }
