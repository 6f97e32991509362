"""API keys under /api/v1: one's own, and (with `user.edit`) anyone's.

    GET    /api-keys[?user=Users-N]   list, oldest first: purpose, prefix, expiry, last use, revocation
    POST   /api-keys                  201 with the key, shown this once
    DELETE /api-keys/{api_key_id}     204; the key stops working at once

A key is listed by its prefix (its first 8 characters), never by anything that could be used. Another
user's key is a 404 to someone who may not manage it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Query, Request, Response
from pydantic import AwareDatetime, Field, StrictInt

from seaway.domain.api_keys import MAX_LIFETIME_DAYS, PURPOSE_LENGTH, ApiKey, expiry
from seaway.domain.ids import format_id, parse_id
from seaway.domain.users import User
from seaway.engine.api_keys import check_may_manage_keys_of, issue_key, keys_of, revoke_key
from seaway.web.api import crud
from seaway.web.api.bodies import Body
from seaway.web.api.representations import when
from seaway.web.auth import AuthenticatedRead, CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = crud.resource_router("api-keys")


class ApiKeyBody(Body):
    purpose: str = Field(max_length=PURPOSE_LENGTH, description="what the key is for, e.g. the CI job using it")
    expires_in_days: StrictInt | None = Field(None, ge=1, le=MAX_LIFETIME_DAYS, description="left out: see expires_at")
    expires_at: AwareDatetime | None = Field(None, description="left out, with expires_in_days: never expires")
    user: str | None = Field(None, description="Users-<n>: a key for another user (needs user.edit); left out: yours")


def api_key_json(key: ApiKey, now: datetime) -> dict[str, Any]:
    return {
        "id": format_id("api_key", key.id),
        "user": format_id("user", key.user_id),
        "purpose": key.purpose,
        "prefix": key.prefix,
        "state": key.state(now),
        "created_at": when(key.created_at),
        "expires_at": when(key.expires_at),
        "last_used_at": when(key.last_used_at),
        "revoked_at": when(key.revoked_at),
    }


@router.get("/api-keys", name="list_api_keys")
async def list_api_keys(
    request: Request,
    read: AuthenticatedRead,
    user: str | None = Query(None, description="Users-<n>: another user's keys (needs user.edit)"),
) -> list[dict[str, Any]]:
    """Your API keys, or another user's."""
    owner_id = parse_id("user", user, field="user") if user is not None else _own_id(read.user)
    now = services_of(request).clock.now()
    return [api_key_json(key, now) for key in await keys_of(read.uow, owner_id, read.user)]


@router.post("/api-keys", status_code=201, name="create_api_key")
async def create_api_key(request: Request, body: ApiKeyBody, user: CurrentUser) -> dict[str, Any]:
    """A new API key; the answer's `key` is shown this once (only its hash is kept)."""
    services = services_of(request)
    now = services.clock.now()
    expires_at = expiry(now, in_days=body.expires_in_days, at=body.expires_at)
    owner_id = parse_id("user", body.user, field="user") if body.user is not None else _own_id(user)
    check_may_manage_keys_of(user, owner_id)
    async with services.store.transaction() as uow:
        owner = await uow.users.get(owner_id)
        issued = await issue_key(
            uow, owner, purpose=body.purpose, expires_at=expires_at, actor=api_actor(request, user), now=now
        )
    return {**api_key_json(issued.api_key, now), "key": issued.key}


@router.delete("/api-keys/{api_key_id}", status_code=204, name="revoke_api_key")
async def revoke_api_key(request: Request, api_key_id: str, user: CurrentUser) -> Response:
    """Revoke a key of yours (or, with user.edit, anyone's); it stops working at once."""
    services = services_of(request)
    number = parse_id("api_key", api_key_id, field="api_key_id")
    async with services.store.transaction() as uow:
        await revoke_key(uow, number, actor=api_actor(request, user), now=services.clock.now())
    return Response(status_code=204)


def _own_id(user: User) -> int:
    assert user.id is not None
    return user.id
