"""Approval policies, matched by name like every named resource."""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from seaway.domain.approval_timeouts import every_from_json, every_to_json, timeout_from_json, timeout_to_json
from seaway.domain.change_windows import window_from_json, window_to_json
from seaway.domain.policies import ApprovalPolicy, QuorumClause
from seaway.store.base import Repository
from seaway.store.policy_tables import approval_policies as t


def _from_row(row: Any) -> ApprovalPolicy:
    return ApprovalPolicy(
        name=row.name,
        description=row.description,
        projects=tuple(row.projects),
        environments=tuple(row.environments),
        teams=tuple(row.teams),
        users=tuple(row.users),
        minimum=row.minimum,
        block_deployment_creator=row.block_deployment_creator,
        quorum=tuple(QuorumClause(str(c["team"]), int(c["minimum"])) for c in row.quorum),
        id=row.id,
        timeout=timeout_from_json(row.timeout) if row.timeout else None,
        remind_every=every_from_json(row.remind_every),
        change_windows=tuple(window_from_json(w) for w in row.change_windows),
        tags=tuple(row.tags),
    )


class PolicyRepository(Repository):
    async def list(self) -> builtins.list[ApprovalPolicy]:
        return [_from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.name_key))]

    async def get(self, policy_id: int) -> ApprovalPolicy:
        return _from_row(await self._one(sa.select(t).where(t.c.id == policy_id), "policy", policy_id))

    async def find_by_name(self, name: str) -> ApprovalPolicy | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return _from_row(row) if row else None

    async def get_by_name(self, name: str) -> ApprovalPolicy:
        return _from_row(await self._one(sa.select(t).where(t.c.name_key == name.lower()), "policy", name))

    async def add(self, policy: ApprovalPolicy) -> ApprovalPolicy:
        return replace(policy, id=await self._insert(t, self._values(policy)))

    async def save(self, policy: ApprovalPolicy) -> ApprovalPolicy:
        assert policy.id is not None
        await self.conn.execute(t.update().where(t.c.id == policy.id).values(**self._values(policy)))
        return policy

    async def delete(self, policy_id: int) -> None:
        await self.get(policy_id)
        await self.conn.execute(t.delete().where(t.c.id == policy_id))

    @staticmethod
    def _values(policy: ApprovalPolicy) -> dict[str, Any]:
        return {
            "name": policy.name,
            "name_key": policy.name.lower(),
            "description": policy.description,
            "projects": list(policy.projects),
            "environments": list(policy.environments),
            "teams": list(policy.teams),
            "users": list(policy.users),
            "minimum": policy.minimum,
            "block_deployment_creator": policy.block_deployment_creator,
            "quorum": [{"team": c.team, "minimum": c.minimum} for c in policy.quorum],
            "timeout": timeout_to_json(policy.timeout) if policy.timeout else None,
            "remind_every": every_to_json(policy.remind_every),
            "change_windows": [window_to_json(w) for w in policy.change_windows],
            "tags": list(policy.tags),
        }
