"""The users repository on both databases: found by id, user name or API key hash; passwords kept as hashes."""

from __future__ import annotations

import pytest

from seaway.domain.users import User
from seaway.errors import NotFound


async def test_users_are_added_saved_listed_and_deleted(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        alice = await uow.users.add(User("alice", "Alice", "alice@example.org"), now)
        bob = await uow.users.add(User("bob", "Bob", is_admin=True), now, password_hash="hash-b")
        assert alice.id is not None and bob.id is not None
        assert await uow.users.get(alice.id) == alice
        assert await uow.users.find_by_username("ALICE") == alice
        assert await uow.users.get_by_username("Bob") == bob
        assert await uow.users.find_many(["BOB", "nobody", "alice"]) == [alice, bob]
        disabled = await uow.users.save(User("alice", "Alice A.", None, active=False, id=alice.id))
        assert await uow.users.get(alice.id) == disabled
        assert await uow.users.list() == [disabled, bob]
        await uow.users.delete(bob.id)
        assert await uow.users.find_by_username("bob") is None


async def test_an_unknown_user_is_not_found(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as by_id:
            await uow.users.get(999)
        with pytest.raises(NotFound) as by_name:
            await uow.users.get_by_username("nobody")
        with pytest.raises(NotFound):
            await uow.users.delete(999)
        assert await uow.users.password_hash(999) is None
    assert by_id.value.entity == by_name.value.entity == "user"
    assert by_name.value.id == "nobody"


async def test_a_password_hash_is_set_and_an_api_key_hash_finds_its_user(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        alice = await uow.users.add(User("alice", "Alice"), now)
        assert alice.id is not None
        assert await uow.users.password_hash(alice.id) is None
        await uow.users.set_password_hash(alice.id, "hash-a")
        await uow.users.add_api_key(alice.id, "ci", "k" * 64, now)
        assert await uow.users.password_hash(alice.id) == "hash-a"
    async with services.store.reading() as uow:
        found = await uow.api_keys.find_by_hash("k" * 64)
        assert found is not None and found.user == alice
        assert await uow.api_keys.find_by_hash("x" * 64) is None
