"""The audit events of access changes (sign-in, passwords, API keys, disabling), by whoever made them.

A person acts through an `Actor`; `seaway admin`, run on the server with its database, acts as the
system (`actor_kind` "system", channel `cli`, authenticated as `local`): no user stands behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel
from seaway.store.audit import AuditEvent, EventFacts

LOCAL_ADMIN = "seaway admin"


def access_event(
    actor: Actor | None,
    *,
    at: datetime,
    action: str,
    entity_id: str,
    details: Mapping[str, object],
    entity: str = "user",
) -> AuditEvent:
    """The event of `action` on `entity_id` by `actor`, or by `seaway admin` when there is none."""
    values: EventFacts = {"at": at, "action": action, "entity": entity, "entity_id": entity_id, "details": details}
    if actor is not None:
        return AuditEvent.by(actor, **values)
    return AuditEvent(**values, actor=LOCAL_ADMIN, channel=Channel.CLI.value, auth=AuthMethod.LOCAL.value)
