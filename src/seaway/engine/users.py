"""Users: create, change, delete; usernames are unique and nobody deletes their own account."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from seaway.domain.users import User
from seaway.engine.names import refuse_name_clash
from seaway.errors import Conflict
from seaway.store.unit_of_work import UnitOfWork


async def create_user(uow: UnitOfWork, user: User, *, now: datetime) -> User:
    clash = await uow.users.find_by_username(user.username)
    refuse_name_clash(clash, None, f'user "{user.username}"', field="username")
    return await uow.users.add(user, now)


async def update_user(uow: UnitOfWork, user_id: int, user: User) -> User:
    existing = await uow.users.get(user_id)
    clash = await uow.users.find_by_username(user.username)
    refuse_name_clash(clash, existing.id, f'user "{user.username}"', field="username")
    return await uow.users.save(replace(user, id=existing.id))


async def delete_user(uow: UnitOfWork, user_id: int, *, by: User) -> None:
    # Deleting oneself would lock out the last administrator as easily as anyone else.
    if user_id == by.id:
        raise Conflict("you cannot delete yourself", field="id")
    await uow.users.delete(user_id)


async def create_user_or_set_password(
    uow: UnitOfWork, user: User, password_hash: str | None, *, now: datetime, field: str = "username"
) -> bool:
    """`seaway admin create-user`: create the user, or, given a password, set an existing user's.
    True when the user was created."""
    existing = await uow.users.find_by_username(user.username)
    if existing is None:
        await uow.users.add(user, now, password_hash)
        return True
    if password_hash is None:
        raise Conflict(f'user "{user.username}" already exists', field=field)
    assert existing.id is not None
    await uow.users.set_password_hash(existing.id, password_hash)
    return False


async def add_api_key(uow: UnitOfWork, username: str, label: str, key_hash: str, *, now: datetime) -> None:
    user = await uow.users.get_by_username(username)
    assert user.id is not None
    await uow.users.add_api_key(user.id, label, key_hash, now)
