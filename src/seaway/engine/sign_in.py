"""Signing in with a user name and password: who it is, or why not.

The checks run outside any write transaction (argon2 is slow on purpose): the account is read from a
snapshot, the password checked off the event loop, and only then is the outcome written. A failure is
recorded here (`engine.lockout`); a success is finished by the caller, which starts the session and calls
`lockout.record_success` in the same transaction.

Unknown user, wrong password, no password and disabled user all cost one argon2 check and get the same
answer. A locked account and a service account are told so, without any password being checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.sign_in import FailureReason, LockoutPolicy, is_locked
from seaway.domain.users import User
from seaway.engine.lockout import Stranger, record_failure
from seaway.engine.passwords import password_matches
from seaway.security.passwords import hash_password, needs_rehash
from seaway.store.unit_of_work import Store


@dataclass(frozen=True)
class Outcome:
    user: User | None  # the user who signed in; None when the attempt failed
    failure: FailureReason | None = None
    locked_until: datetime | None = None  # when the account is (now) locked
    new_hash: str | None = None  # a stronger hash of the good password, to store with the session

    @property
    def succeeded(self) -> bool:
        return self.user is not None


async def attempt(
    store: Store,
    username: str,
    password: str,
    *,
    actor_of: Callable[[User], Actor],
    stranger: Stranger,
    now: datetime,
    policy: LockoutPolicy,
) -> Outcome:
    """Check `username` and `password`; a failure is recorded (and audited) before this returns."""
    credentials = None
    # A NUL can be in no user name (PostgreSQL could not even look it up): such a name matches nobody.
    if username and "\x00" not in username:
        async with store.reading() as uow:
            credentials = await uow.users.find_credentials(username)
    user = credentials.user if credentials is not None else None
    if credentials is not None and user is not None:
        if user.service_account:
            return await _failed(store, actor_of(user), FailureReason.SERVICE_ACCOUNT, now, policy)
        if is_locked(credentials.locked_until, now):
            return await _failed(store, actor_of(user), FailureReason.LOCKED, now, policy, credentials.locked_until)
    stored = credentials.password_hash if credentials is not None else None
    matches = await password_matches(stored, password)
    if user is None:
        return await _failed(store, stranger, FailureReason.UNKNOWN_USER, now, policy)
    if not user.active:
        return await _failed(store, actor_of(user), FailureReason.DISABLED, now, policy)
    if not matches:
        return await _failed(store, actor_of(user), FailureReason.BAD_PASSWORD, now, policy)
    assert stored is not None
    # The hashing parameters got stronger since this hash was made: store a new one while we hold the password.
    new_hash = await asyncio.to_thread(hash_password, password) if needs_rehash(stored) else None
    return Outcome(user, new_hash=new_hash)


async def _failed(
    store: Store,
    who: Actor | Stranger,
    reason: FailureReason,
    now: datetime,
    policy: LockoutPolicy,
    locked_until: datetime | None = None,
) -> Outcome:
    async with store.transaction() as uow:
        if await record_failure(uow, who, reason, now=now, policy=policy):
            reason, locked_until = FailureReason.LOCKED, policy.locked_until(now)
    return Outcome(None, reason, locked_until)
