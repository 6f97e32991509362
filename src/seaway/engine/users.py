"""Users: create, change, delete; usernames are unique and nobody deletes or disables their own account.

Disabling a user ends their sessions, and their API keys stop working with the next request (the key
check reads the user); deployments they queued keep running. Making a user a service account removes their
password and ends their sessions: a service account signs in with API keys only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.api_keys import ADMIN_COMMAND_PURPOSE
from seaway.domain.ids import format_id
from seaway.domain.users import User
from seaway.engine.access_events import access_event
from seaway.engine.api_keys import IssuedKey, issue_key
from seaway.engine.names import refuse_name_clash
from seaway.engine.passwords import set_password
from seaway.errors import Conflict
from seaway.store.unit_of_work import UnitOfWork


async def create_user(uow: UnitOfWork, user: User, *, now: datetime) -> User:
    clash = await uow.users.find_by_username(user.username)
    refuse_name_clash(clash, None, f'user "{user.username}"', field="username")
    return await uow.users.add(user, now)


async def update_user(
    uow: UnitOfWork, user_id: int, user: User, *, actor: Actor | None = None, now: datetime | None = None
) -> User:
    existing = await uow.users.get(user_id)
    clash = await uow.users.find_by_username(user.username)
    refuse_name_clash(clash, existing.id, f'user "{user.username}"', field="username")
    if actor is not None and actor.user.id == user_id and existing.active and not user.active:
        # Disabling oneself would lock out the last administrator as easily as anyone else.
        raise Conflict("you cannot disable yourself", field="active")
    saved = await uow.users.save(replace(user, id=existing.id))
    await access_changed(uow, existing, saved, actor=actor, now=now)
    return saved


async def access_changed(
    uow: UnitOfWork, before: User, after: User, *, actor: Actor | None, now: datetime | None
) -> None:
    """What a saved change of `active` or `service_account` does beyond the row: end the user's sessions
    (and, for a service account, remove the password), and audit `user.disabled` / `user.enabled`.
    For every path that saves a user (the API, `apply`)."""
    assert after.id is not None
    if after.service_account and not before.service_account:
        await uow.users.set_password_hash(after.id, None)
        await uow.sessions.delete_for_user(after.id)
    if before.active == after.active:
        return
    ended = 0 if after.active else await uow.sessions.delete_for_user(after.id)
    if now is None:
        return
    action = "user.enabled" if after.active else "user.disabled"
    details: dict[str, object] = {"username": after.username}
    if not after.active:
        details["sessions_ended"] = ended
    await uow.audit.record(
        access_event(actor, at=now, action=action, entity_id=format_id("user", after.id), details=details)
    )


async def delete_user(uow: UnitOfWork, user_id: int, *, by: User) -> None:
    # Deleting oneself would lock out the last administrator as easily as anyone else.
    if user_id == by.id:
        raise Conflict("you cannot delete yourself", field="id")
    await uow.users.delete(user_id)


async def create_user_or_set_password(
    uow: UnitOfWork, user: User, password_hash: str | None, *, now: datetime, field: str = "username"
) -> bool:
    """`seaway admin create-user`: create the user, or, given a password, set an existing user's (as a reset
    by `seaway admin`). True when the user was created."""
    existing = await uow.users.find_by_username(user.username)
    if existing is None:
        await uow.users.add(user, now, password_hash)
        return True
    if password_hash is None:
        raise Conflict(f'user "{user.username}" already exists', field=field)
    await set_password(uow, existing, password_hash, actor=None, now=now, action="user.password_reset")
    return False


async def reset_password(
    uow: UnitOfWork, user_id: int, password_hash: str, *, actor: Actor | None, now: datetime
) -> User:
    """An administrator (or `seaway admin set-password`) sets a user's password: their sessions end."""
    user = await uow.users.get(user_id)
    await set_password(uow, user, password_hash, actor=actor, now=now, action="user.password_reset")
    return user


async def create_service_account(
    uow: UnitOfWork, username: str, display_name: str, *, actor: Actor | None, now: datetime
) -> tuple[User, IssuedKey]:
    """`seaway admin create-service-account`: the account and its first API key."""
    account = await create_user(uow, User(username, display_name, service_account=True), now=now)
    issued = await issue_key(uow, account, purpose=ADMIN_COMMAND_PURPOSE, expires_at=None, actor=actor, now=now)
    return account, issued
