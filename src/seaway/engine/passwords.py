"""Passwords: the rule for a new one, changing one's own, and an administrator's reset.

argon2 is slow on purpose, so hashing and checking run off the event loop and outside any transaction
(a transaction held open for them would hold SQLite's write lock as long). Setting a password ends the
user's other sessions, clears a lockout and is audited; the password itself is never recorded.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id
from seaway.domain.sign_in import FailureReason, LockoutPolicy, is_locked
from seaway.domain.users import User
from seaway.engine.access_events import access_event
from seaway.engine.lockout import record_failure
from seaway.errors import InvalidInput
from seaway.security.passwords import MIN_LENGTH, hash_password, verify_password
from seaway.store.unit_of_work import Store, UnitOfWork

MAX_LENGTH = 1024  # argon2 takes any length; a cap keeps one request from costing much more than another


@functools.cache
def _decoy_hash() -> str:
    """A hash no password matches, checked when there is no real one so every failure costs the same."""
    return hash_password(secrets.token_urlsafe(32))


async def password_matches(stored: str | None, password: str) -> bool:
    """Check `password` against `stored` (against a decoy when there is none, so it takes as long)."""
    matches = await asyncio.to_thread(verify_password, stored or _decoy_hash(), password[:MAX_LENGTH])
    return matches and stored is not None


async def hash_new_password(password: str, *, field: str) -> str:
    """The hash of a new password, once it meets the rule (refused as bad input naming `field`)."""
    check_new_password(password, field=field)
    return await asyncio.to_thread(hash_password, password)


def check_new_password(password: str, *, field: str) -> None:
    if not isinstance(password, str) or not password:
        raise InvalidInput("a password is required", field=field)
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"a password must be at least {MIN_LENGTH} characters long", field=field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"a password must be at most {MAX_LENGTH} characters long", field=field)
    if "\x00" in password:
        raise InvalidInput("a password must not contain NUL characters", field=field)


def refuse_service_account(user: User, *, field: str) -> None:
    if user.service_account:
        raise InvalidInput(
            f'"{user.username}" is a service account: it signs in with API keys only and has no password',
            field=field,
        )


async def set_password(
    uow: UnitOfWork,
    user: User,
    password_hash: str,
    *,
    actor: Actor | None,
    now: datetime,
    action: str,
    keep_session: int | None = None,
) -> int:
    """Store the new hash, end the user's sessions but `keep_session`, clear any lockout, and audit
    `action` (`user.password_changed` or `user.password_reset`). Returns how many sessions ended."""
    assert user.id is not None
    refuse_service_account(user, field="new_password")
    await uow.users.set_password_hash(user.id, password_hash)
    await uow.users.clear_failed_sign_ins(user.id)
    ended = await uow.sessions.delete_for_user(user.id, keep=keep_session)
    details = {"sessions_ended": ended}
    event = access_event(actor, at=now, action=action, entity_id=format_id("user", user.id), details=details)
    await uow.audit.record(event)
    return ended


async def change_own_password(
    store: Store,
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    now: datetime,
    policy: LockoutPolicy,
    keep_session: int | None = None,
) -> None:
    """The actor changes their own password, proving the current one. A wrong current password counts as
    a failed sign-in (so this cannot be used to guess it), and a locked account cannot change it."""
    user = actor.user
    assert user.id is not None
    refuse_service_account(user, field="new_password")
    check_new_password(new_password, field="new_password")
    async with store.reading() as uow:
        stored = await uow.users.password_hash(user.id)
        locked_until = await uow.users.locked_until(user.id)
    if is_locked(locked_until, now):
        raise InvalidInput(
            "the account is locked after too many wrong passwords; try again later", field="current_password"
        )
    if not await password_matches(stored, current_password or ""):
        async with store.transaction() as uow:
            await record_failure(uow, actor, FailureReason.BAD_PASSWORD, now=now, policy=policy)
        raise InvalidInput("the current password is not correct", field="current_password")
    new_hash = await hash_new_password(new_password, field="new_password")
    async with store.transaction() as uow:
        await set_password(
            uow, user, new_hash, actor=actor, now=now, action="user.password_changed", keep_session=keep_session
        )
