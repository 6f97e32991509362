"""`GET /configuration/audit/export?format=json|csv&from=…&to=…`: the download `seaway audit export` writes,
made the same way (`engine.audit_exports.export_range` with the server's signing key: a checkpoint is signed
first, so the JSON verifies offline with `seaway audit verify --file`).

An export is a whole piece of the chain, every event of the range wherever it lies, so it needs
`audit.export` over everything; the page's other filters (actor, project, …) narrow what the page lists,
not the export, whose events must stay contiguous to verify.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from seaway.domain.audit_exports import AuditExport, export_csv, export_json, parse_period
from seaway.domain.permissions import Permission
from seaway.engine.audit_exports import export_range
from seaway.errors import InvalidInput, PermissionDenied
from seaway.security.signing import SigningKey
from seaway.web.access import may
from seaway.web.ui.pages import error_page, message_page, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

PATH = "/configuration/audit/export"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


MEDIA_TYPES = {ExportFormat.JSON: "application/json", ExportFormat.CSV: "text/csv; charset=utf-8"}


@router.get(PATH)
async def export_download(
    request: Request,
    as_format: str = Query("json", alias="format", max_length=10),
    since: str = Query("", alias="from", max_length=64),
    until: str = Query("", alias="to", max_length=64),
) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    if not may(signed_in.user, Permission.AUDIT_EXPORT):
        return error_page(PermissionDenied("you may not export the audit log", entity="permission", id="audit.export"))
    try:
        chosen = _format(as_format)
        start, end = parse_period(since or None, until or None, ordered="range")
    except InvalidInput as exc:
        return error_page(exc, title="Not exported")
    services = ui_of(request).services
    settings = services.settings
    key = await asyncio.to_thread(
        SigningKey.load_or_create, Path(settings.data_dir).resolve(), settings.audit_signing_key
    )
    exported = await export_range(services.store, key, start, end, services.clock.now())
    if not isinstance(exported, AuditExport):  # the chain since the last checkpoint does not verify
        return message_page("Not exported", f"nothing was signed or exported: {exported.summary()}", status=409)
    text = export_json(exported) if chosen is ExportFormat.JSON else export_csv(exported)
    name = f"seaway-audit-{exported.exported_at:%Y%m%dT%H%M%SZ}.{chosen.value}"
    return Response(
        text,
        media_type=MEDIA_TYPES[chosen],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _format(text: str) -> ExportFormat:
    try:
        return ExportFormat(text.strip().lower())
    except ValueError:
        raise InvalidInput(f'"{text}" is not an export format (json or csv)', field="format") from None
