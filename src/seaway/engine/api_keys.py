"""API keys: issued to a user (shown once), listed, and revoked by their owner or an administrator.

Anyone may hold keys of their own; another user's keys are for those who may edit users
(`Permission.USER_EDIT`). To anyone else, another user's key does not exist (404), so its id reveals
nothing. Issuing and revoking are audited (`api_key.created`, `api_key.revoked`), never the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.api_keys import ApiKey, prefix_of, validate_purpose
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission, allows, authorize
from seaway.domain.users import User
from seaway.engine.access_events import access_event
from seaway.errors import NotFound
from seaway.security.tokens import hash_token, new_api_key
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class IssuedKey:
    key: str  # shown to its owner once; only its hash is kept
    api_key: ApiKey


def may_manage_keys_of(by: User | None, owner_id: int) -> bool:
    return by is not None and (by.id == owner_id or allows(by, Permission.USER_EDIT))


def check_may_manage_keys_of(by: User, owner_id: int) -> None:
    """Refuse (403 naming `user.edit`) someone who asks about another user's keys without it."""
    if by.id != owner_id:
        authorize(by, Permission.USER_EDIT)


async def issue_key(
    uow: UnitOfWork,
    owner: User,
    *,
    purpose: str,
    expires_at: datetime | None,
    actor: Actor | None,
    now: datetime,
) -> IssuedKey:
    """A new key for `owner`. The caller has checked that `actor` may (`check_may_manage_keys_of`)."""
    assert owner.id is not None
    purpose = validate_purpose(purpose)
    key = new_api_key()
    stored = await uow.api_keys.add(
        owner.id, purpose, hash_token(key), now, prefix=prefix_of(key), expires_at=expires_at
    )
    assert stored.id is not None
    details = {
        "user": format_id("user", owner.id),
        "username": owner.username,
        "purpose": purpose,
        "prefix": stored.prefix,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }
    event = access_event(
        actor,
        at=now,
        action="api_key.created",
        entity="api_key",
        entity_id=format_id("api_key", stored.id),
        details=details,
    )
    await uow.audit.record(event)
    return IssuedKey(key, stored)


async def visible_key(uow: UnitOfWork, key_id: int, by: User) -> ApiKey:
    """The key, if `by` may manage it; otherwise as unknown as a key that does not exist."""
    key = await uow.api_keys.get(key_id)
    if not may_manage_keys_of(by, key.user_id):
        public_id = format_id("api_key", key_id)
        raise NotFound(f"api_key {public_id} does not exist", entity="api_key", id=public_id)
    return key


async def keys_of(uow: UnitOfWork, owner_id: int, by: User) -> list[ApiKey]:
    """`owner_id`'s keys: one's own, or anyone's for those who may edit users (403 naming it otherwise)."""
    check_may_manage_keys_of(by, owner_id)
    await uow.users.get(owner_id)  # an unknown user is a 404, not an empty list
    return await uow.api_keys.list_for_user(owner_id)


async def revoke_key(uow: UnitOfWork, key_id: int, *, actor: Actor, now: datetime) -> ApiKey:
    """Revoke the key: it stops working at once. Revoking a revoked key changes (and records) nothing."""
    key = await visible_key(uow, key_id, actor.user)
    if await uow.api_keys.revoke(key_id, now):
        details = {"user": format_id("user", key.user_id), "purpose": key.purpose, "prefix": key.prefix}
        await uow.audit.record(
            access_event(
                actor,
                at=now,
                action="api_key.revoked",
                entity="api_key",
                entity_id=format_id("api_key", key_id),
                details=details,
            )
        )
    return await uow.api_keys.get(key_id)
