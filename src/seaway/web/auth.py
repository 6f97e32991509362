"""Who is calling: an API key (`X-Seaway-ApiKey` or `Authorization: Bearer`) mapped to an active user.

A key that is unknown, revoked or expired, or whose user is disabled, is a 401 that says which. When the
key was last used is recorded at most once a minute, after the response, in a transaction of its own: a
GET stays one read-only snapshot, and a key in steady use costs one small write a minute.

A read endpoint takes `AuthenticatedRead` instead of `CurrentUser`: the key is checked in the same read-only
snapshot the endpoint then reads from, so a GET costs one transaction (one pooled connection) instead of two.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, cast

from fastapi import BackgroundTasks, Depends, Request

from seaway.domain.permissions import Permission, authorize
from seaway.domain.users import User
from seaway.errors import AuthenticationFailed
from seaway.security.tokens import hash_token
from seaway.store.unit_of_work import Store, UnitOfWork
from seaway.web.deps import services_of
from seaway.web.octopus.paths import is_octopus


def api_key_from(request: Request) -> str | None:
    """The key sent; a header sent empty (Octopus's clients send `X-Octopus-ApiKey:` without a key) is none."""
    key = (request.headers.get("x-seaway-apikey") or "").strip() or (
        request.headers.get("x-octopus-apikey") or ""
    ).strip()
    if key:
        return key
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _required_key(request: Request) -> str:
    key = api_key_from(request)
    if key is None:
        header = "X-Octopus-ApiKey" if is_octopus(request) else "X-Seaway-ApiKey"
        raise AuthenticationFailed(f"an API key is required ({header} header or Authorization: Bearer)")
    return key


async def _user_with_key(uow: UnitOfWork, key: str, request: Request, background: BackgroundTasks) -> User:
    found = await uow.api_keys.find_by_hash(hash_token(key))
    if found is None:
        raise AuthenticationFailed("the API key is not valid")
    services = services_of(request)
    now = services.clock.now()
    refusal = found.key.refusal(now)
    if refusal is not None:
        raise AuthenticationFailed(refusal)
    if not found.user.active:
        raise AuthenticationFailed(f'the API key belongs to user "{found.user.username}", who is disabled')
    if found.key.use_is_stale(now):
        assert found.key.id is not None
        background.add_task(_record_use, services.store, found.key.id, now)
    return found.user


async def _record_use(store: Store, key_id: int, now: datetime) -> None:
    async with store.transaction() as uow:
        await uow.api_keys.record_use(key_id, now)


async def current_user(request: Request, background: BackgroundTasks) -> User:
    key = _required_key(request)
    async with services_of(request).store.reading() as uow:
        return await _user_with_key(uow, key, request, background)


CurrentUser = Annotated[User, Depends(current_user)]


async def api_key_or_browser_user(request: Request, background: BackgroundTasks) -> User:
    """The API key's user; without an API key, the browser's signed-in user, because the deployment page
    links the log download and a browser following a link sends its session cookie, not an API key."""
    # The pages' session store hangs on the app only when the pages are mounted; web/ui imports this module.
    ui = getattr(request.app.state, "ui", None)
    if api_key_from(request) is None and ui is not None:
        signed_in = await ui.sessions.current(request)
        if signed_in is not None:
            return cast("User", signed_in.user)
    return await current_user(request, background)


ApiKeyOrBrowserUser = Annotated[User, Depends(api_key_or_browser_user)]


@dataclass(frozen=True)
class Reading:
    """The caller, and the read-only unit of work its key was checked in: read the response from `uow`."""

    user: User
    uow: UnitOfWork


async def authenticated_reading(request: Request, background: BackgroundTasks) -> AsyncIterator[Reading]:
    key = _required_key(request)  # before the snapshot: a request without a key costs no connection
    async with services_of(request).store.reading() as uow:
        yield Reading(await _user_with_key(uow, key, request, background), uow)


# "function" scope: the snapshot ends when the endpoint returns, before the response is sent.
AuthenticatedRead = Annotated[Reading, Depends(authenticated_reading, scope="function")]


def allow(user: User, permission: Permission, project: str | None = None, environment: str | None = None) -> None:
    """Every endpoint passes through here: the one authorization seam, in the domain."""
    authorize(user, permission, project, environment)
