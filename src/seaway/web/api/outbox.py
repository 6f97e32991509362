"""The outbox: every email Seaway wrote, newest first; `kept` ones were never sent (no SMTP configured).

Administrators only: approval emails carry live approve/reject links.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request

from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.store.emails import EmailState, StoredEmail
from seaway.web.access import require
from seaway.web.api.representations import when
from seaway.web.auth import CurrentUser
from seaway.web.deps import services_of

router = APIRouter(tags=["outbox"])


def email_json(email: StoredEmail) -> dict[str, Any]:
    return {
        "id": format_id("email", email.id),
        "to": list(email.to),
        "subject": email.subject,
        "text": email.text,
        "html": email.html,
        "state": email.state.value,
        "attempts": email.attempts,
        "last_error": email.last_error,
        "created_at": when(email.created_at),
        "sent_at": when(email.sent_at),
    }


@router.get("/outbox")
async def list_outbox(
    request: Request,
    user: CurrentUser,
    state: Literal["queued", "sent", "failed", "kept"] | None = Query(None, description="only emails in this state"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    require(user, Permission.OUTBOX_VIEW)
    async with services_of(request).store.reading() as uow:
        emails = await uow.emails.list(state=EmailState(state) if state else None, limit=limit)
    return [email_json(e) for e in emails]
