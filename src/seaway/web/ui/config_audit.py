"""`/configuration/audit`: the audit log, newest first, as far as the visitor may see it (`audit.view` where
each event lies), filtered by actor, project, environment, action and dates; the same search as
`GET /api/v1/audit-events`, a page at a time. Those with `audit.export` get links to download the dates'
range as `seaway audit export` writes it (`config_audit_export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from seaway.domain.audit_chain import event_ref
from seaway.domain.audit_exports import parse_period
from seaway.domain.permissions import Permission, allows
from seaway.errors import InvalidInput, PermissionDenied
from seaway.web.access import holds_anywhere, may
from seaway.web.api.audit import decode_cursor, encode_cursor, visible_scopes
from seaway.web.ui.config_audit_export import PATH as EXPORT_PATH
from seaway.web.ui.config_audit_export import ExportFormat
from seaway.web.ui.pages import error_page, render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

PAGE_EVENTS = 100
FILTERS = ("actor", "project", "environment", "action", "from", "to")


@dataclass(frozen=True)
class AuditRow:
    id: str
    at: datetime
    actor: str
    channel: str
    action: str
    entity_id: str
    project: str
    environment: str


@router.get("/configuration/audit")
async def audit_page(
    request: Request,
    actor: str = Query("", max_length=200),
    project: str = Query("", max_length=200),
    environment: str = Query("", max_length=200),
    action: str = Query("", max_length=100),
    since: str = Query("", alias="from", max_length=64),
    until: str = Query("", alias="to", max_length=64),
    cursor: str = Query("", max_length=100),
) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    user = signed_in.user
    if not holds_anywhere(user, Permission.AUDIT_VIEW):
        return error_page(PermissionDenied("you may not read the audit log", entity="permission", id="audit.view"))
    scopes = visible_scopes(user)
    filters = dict(zip(FILTERS, (actor, project, environment, action, since, until), strict=True))
    exports = _export_links(filters) if may(user, Permission.AUDIT_EXPORT) else {}
    try:
        start, end = parse_period(since or None, until or None)
        async with ui_of(request).services.store.reading() as uow:
            events = await uow.audit.search(
                actor=actor or None,
                project=project or None,
                environment=environment or None,
                action=action or None,
                since=start,
                until=end,
                before_id=decode_cursor(cursor) if cursor else None,
                scopes=scopes,
                limit=PAGE_EVENTS,
            )
    except InvalidInput as exc:
        return render(
            "config_audit.html", status=422, signed_in=signed_in, rows=[], filters=filters, error=exc.message,
            next_url=None, exports={},
        )  # fmt: skip
    rows = [
        AuditRow(event_ref(e.id or 0), e.at, e.actor or e.actor_kind, e.channel or "", e.action, e.entity_id,
                 e.project or "", e.environment or "")
        for e in events
        if allows(user, Permission.AUDIT_VIEW, e.project, e.environment)
    ]  # fmt: skip
    next_url = None
    if len(events) == PAGE_EVENTS and events[-1].id is not None:
        kept = {name: value for name, value in filters.items() if value}
        next_url = "/configuration/audit?" + urlencode(kept | {"cursor": encode_cursor(events[-1].id)})
    return render(
        "config_audit.html", signed_in=signed_in, rows=rows, filters=filters, error=None, next_url=next_url,
        exports=exports,
    )  # fmt: skip


def _export_links(filters: dict[str, str]) -> dict[str, str]:
    """The download of each format for the page's dates (an export is the whole chain in its range)."""
    dates = {name: filters[name] for name in ("from", "to") if filters[name]}
    return {f.value.upper(): f"{EXPORT_PATH}?{urlencode({'format': f.value} | dates)}" for f in ExportFormat}
