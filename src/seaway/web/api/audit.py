"""`GET /api/v1/audit-events`: the audit log, newest first, a page at a time, as far as the caller may see it.

Paging: each page carries `next_cursor` (opaque) while older events may follow; pass it back as `cursor`
with the same filters. An auditor whose grant is scoped sees the events of the projects and environments it
covers; an event that names no project (or no environment) needs a grant that covers every one.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Query

from seaway.domain.audit_chain import event_ref
from seaway.domain.audit_exports import parse_period
from seaway.domain.ids import MAX_ID
from seaway.domain.permissions import Dimension, Permission, allows, dimensions_of
from seaway.domain.users import User
from seaway.errors import InvalidInput
from seaway.store.audit import AuditEvent, Scope
from seaway.web.api.representations import when
from seaway.web.auth import AuthenticatedRead

router = APIRouter(tags=["audit"])

PAGE_EVENTS = 100
MAX_PAGE_EVENTS = 500
_CURSOR_PREFIX = "before:"


def audit_event_json(event: AuditEvent) -> dict[str, Any]:
    assert event.id is not None
    return {
        "id": event_ref(event.id),
        "time": when(event.at),
        "actor": event.actor,
        "actor_kind": event.actor_kind,
        "auth": event.auth,
        "channel": event.channel,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "project": event.project,
        "environment": event.environment,
        "details": dict(event.details),
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


def encode_cursor(before_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{before_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 10 or int(number) > MAX_ID:
        raise InvalidInput("not a cursor this list handed out (pass next_cursor back as it is)", field="cursor")
    return int(number)


def visible_scopes(user: User) -> list[Scope] | None:
    """The scopes of the user's audit grants (None: every event); empty when the user holds none."""
    if user.is_admin:
        return None
    permission = Permission.AUDIT_VIEW
    dims = dimensions_of(permission)
    scopes: list[Scope] = []
    for grant in user.grants:
        if str(permission) not in grant.permissions:
            continue
        projects = grant.projects if Dimension.PROJECT in dims else frozenset()
        environments = grant.environments if Dimension.ENVIRONMENT in dims else frozenset()
        if not projects and not environments:
            return None
        scopes.append((projects, environments))
    return scopes


@router.get("/audit-events")
async def list_audit_events(
    read: AuthenticatedRead,
    actor: str | None = Query(None, max_length=200, description="who acted (user name, case-insensitive)"),
    project: str | None = Query(None, max_length=200, description="project name"),
    environment: str | None = Query(None, max_length=200, description="environment name"),
    action: str | None = Query(None, max_length=100, description="e.g. interruption.submitted"),
    since: Annotated[str | None, Query(alias="from", max_length=64, description="at or after this time")] = None,
    until: Annotated[str | None, Query(alias="to", max_length=64, description="before this time")] = None,
    cursor: str | None = Query(None, max_length=100, description="next_cursor of the previous page"),
    limit: int = Query(PAGE_EVENTS, ge=1, le=MAX_PAGE_EVENTS, description="at most this many events"),
) -> dict[str, Any]:
    """Audit events, newest first: `{"items": [...], "next_cursor": "..." | null}`."""
    user = read.user
    scopes = visible_scopes(user) if user.active else []
    start, end = parse_period(since, until)
    before = decode_cursor(cursor) if cursor is not None else None
    if scopes == []:  # audit.view nowhere: like every scoped list, an empty one rather than a refusal
        return {"items": [], "next_cursor": None}
    events = await read.uow.audit.search(
        actor=actor,
        project=project,
        environment=environment,
        action=action,
        since=start,
        until=end,
        before_id=before,
        scopes=scopes,
        limit=limit,
    )
    # The query already keeps to the user's scopes; the one authorization rule has the last word on each event.
    items = [e for e in events if allows(user, Permission.AUDIT_VIEW, e.project, e.environment)]
    last = events[-1].id if len(events) == limit else None
    return {"items": [audit_event_json(e) for e in items], "next_cursor": encode_cursor(last) if last else None}
