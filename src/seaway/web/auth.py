"""Who is calling: an API key (`X-Seaway-ApiKey` or `Authorization: Bearer`) mapped to an active user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from seaway.domain.permissions import Permission, authorize
from seaway.domain.users import User
from seaway.errors import AuthenticationFailed
from seaway.security.tokens import hash_token
from seaway.web.deps import services_of


def api_key_from(request: Request) -> str | None:
    key = request.headers.get("x-seaway-apikey") or request.headers.get("x-octopus-apikey")
    if key:
        return key.strip()
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_user(request: Request) -> User:
    key = api_key_from(request)
    if key is None:
        raise AuthenticationFailed("an API key is required (X-Seaway-ApiKey header or Authorization: Bearer)")
    services = services_of(request)
    async with services.store.reading() as uow:
        user = await uow.users.find_by_api_key_hash(hash_token(key))
    if user is None:
        raise AuthenticationFailed("the API key is not valid")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def allow(user: User, permission: Permission, project: str | None = None, environment: str | None = None) -> None:
    """Every endpoint passes through here: the one authorization seam, in the domain."""
    authorize(user, permission, project, environment)
