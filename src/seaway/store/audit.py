"""The audit log: one row per event that someone may have to account for later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from seaway.domain.actors import Actor
from seaway.store.base import Repository
from seaway.store.tables import audit_events as t


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    action: str  # e.g. `interruption.submitted`
    entity: str  # e.g. `interruption`
    entity_id: str  # the public id, e.g. `Interruptions-3`
    actor_user_id: int | None = None
    actor: str = ""  # the username at the time: the record outlives the user
    channel: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)  # JSON
    id: int | None = None
    actor_kind: str = "system"  # user, service-account or system (the engine itself)
    auth: str | None = None  # how the actor was authenticated: an AuthMethod value
    project: str | None = None  # names at the time, for filtering and for readers of an export
    environment: str | None = None
    prev_hash: str = ""
    hash: str = ""

    @classmethod
    def by(
        cls,
        actor: Actor,
        *,
        at: datetime,
        action: str,
        entity: str,
        entity_id: str,
        details: Mapping[str, object],
        project: str | None = None,
        environment: str | None = None,
    ) -> AuditEvent:
        """An event a person caused: who, through which channel, from where."""
        return cls(
            at=at,
            action=action,
            entity=entity,
            entity_id=entity_id,
            actor_user_id=actor.user.id,
            actor=actor.user.username,
            channel=actor.channel.value,
            ip=actor.ip,
            user_agent=actor.user_agent,
            details=details,
            actor_kind="service-account" if actor.user.service_account else "user",
            auth=actor.auth.value,
            project=project,
            environment=environment,
        )


class AuditRepository(Repository):
    async def record(self, event: AuditEvent) -> int:
        return await self._insert(
            t,
            {
                "at": event.at,
                "actor_user_id": event.actor_user_id,
                "actor": event.actor,
                "action": event.action,
                "entity": event.entity,
                "entity_id": event.entity_id,
                "channel": event.channel,
                "ip": event.ip[:64] if event.ip else None,
                "user_agent": event.user_agent[:500] if event.user_agent else None,
                "details": dict(event.details),
                "actor_kind": event.actor_kind,
                "auth": event.auth,
                "project": event.project,
                "environment": event.environment,
            },
        )

    async def list(
        self, *, entity: str | None = None, entity_id: str | None = None, action: str | None = None, limit: int = 500
    ) -> list[AuditEvent]:
        """Oldest first, as a log is read."""
        stmt = sa.select(t).order_by(t.c.id).limit(limit)
        if entity is not None:
            stmt = stmt.where(t.c.entity == entity)
        if entity_id is not None:
            stmt = stmt.where(t.c.entity_id == entity_id)
        if action is not None:
            stmt = stmt.where(t.c.action == action)
        return [
            AuditEvent(
                at=r.at,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                actor_user_id=r.actor_user_id,
                actor=r.actor,
                channel=r.channel,
                ip=r.ip,
                user_agent=r.user_agent,
                details=dict(r.details),
                id=r.id,
                actor_kind=r.actor_kind,
                auth=r.auth,
                project=r.project,
                environment=r.environment,
                prev_hash=r.prev_hash,
                hash=r.hash,
            )
            for r in await self.conn.execute(stmt)
        ]
