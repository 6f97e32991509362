"""The audit event of what a person (or Seaway itself) did, filed under where it happened (`uow.audit.record(...)`
it in the transaction that does it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.store.audit import AuditEvent
from seaway.store.scopes import Where


def event_of(
    actor: Actor | None,
    now: datetime,
    action: str,
    entity_id: str,
    details: Mapping[str, object],
    where: Where,
    entity: str = "",
) -> AuditEvent:
    """`action` (`release.created`) on `entity_id` by `actor` (None: by Seaway itself), in `where`'s project and
    environment; the entity is the action's first word unless given."""
    kind = entity or action.partition(".")[0]
    return AuditEvent.by_whom(
        actor, at=now, action=action, entity=kind, entity_id=entity_id, details=details,
        project=where.project, environment=where.environment,
    )  # fmt: skip
