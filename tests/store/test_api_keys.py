"""The API keys repository on both databases: added with a purpose and prefix, found by hash with their user,
listed per user, revoked once, and their last use recorded at most once a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seaway.domain.api_keys import ApiKey
from seaway.domain.users import User
from seaway.errors import NotFound


async def _alice(services) -> User:
    async with services.store.transaction() as uow:
        return await uow.users.add(User("alice", "Alice"), services.clock.now())


async def _key_of_alice(services) -> int:
    alice = await _alice(services)
    assert alice.id is not None
    async with services.store.transaction() as uow:
        key = await uow.api_keys.add(alice.id, "CI", "a" * 64, services.clock.now())
    assert key.id is not None
    return key.id


async def test_a_key_is_added_listed_and_found_by_its_hash_with_its_user(services):
    alice = await _alice(services)
    assert alice.id is not None
    now = services.clock.now()
    expires = now + timedelta(days=90)
    async with services.store.transaction() as uow:
        first = await uow.api_keys.add(alice.id, "CI", "a" * 64, now, prefix="API-ABCD", expires_at=expires)
        second = await uow.api_keys.add(alice.id, "laptop", "b" * 64, now)
    assert first == ApiKey(alice.id, "CI", "API-ABCD", now, expires, id=first.id)

    async with services.store.reading() as uow:
        assert await uow.api_keys.list_for_user(alice.id) == [first, second]
        assert await uow.api_keys.get(second.id or 0) == second
        found = await uow.api_keys.find_by_hash("a" * 64)
        assert await uow.api_keys.find_by_hash("c" * 64) is None
        with pytest.raises(NotFound) as unknown:
            await uow.api_keys.get(999)
    assert found is not None
    assert found.user == alice
    assert (found.key.id, found.key.expires_at, found.key.revoked_at, found.key.last_used_at) == (
        first.id,
        expires,
        None,
        None,
    )
    assert unknown.value.entity == "api_key"


async def test_a_key_is_revoked_once(services):
    key_id = await _key_of_alice(services)
    now = services.clock.now()
    async with services.store.transaction() as uow:
        assert await uow.api_keys.revoke(key_id, now) is True
        assert await uow.api_keys.revoke(key_id, now + timedelta(hours=1)) is False
        found = await uow.api_keys.find_by_hash("a" * 64)
    assert found is not None and found.key.revoked_at == now
    assert found.key.refusal(now) is not None


async def test_the_last_use_is_recorded_at_most_once_a_minute(services):
    key_id = await _key_of_alice(services)
    now = services.clock.now()

    async def use(at) -> object:
        async with services.store.transaction() as uow:
            await uow.api_keys.record_use(key_id, at)
            return (await uow.api_keys.get(key_id)).last_used_at

    assert await use(now) == now
    assert await use(now + timedelta(seconds=59)) == now  # a use within the minute writes nothing new
    assert await use(now + timedelta(seconds=60)) == now + timedelta(seconds=60)


async def test_a_users_keys_go_with_the_user(services):
    key_id = await _key_of_alice(services)
    async with services.store.transaction() as uow:
        await uow.users.delete((await uow.api_keys.get(key_id)).user_id)
        assert await uow.api_keys.find_by_hash("a" * 64) is None
