"""The users repository on both databases: found by id, user name or API key hash; passwords kept as hashes;
failed sign-ins counted within a window and the lock they lead to."""

from __future__ import annotations

import asyncio
from datetime import timedelta

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


async def test_credentials_carry_the_password_hash_and_the_lock(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        alice = await uow.users.add(User("alice", "Alice"), now, password_hash="hash-a")
        assert alice.id is not None
        found = await uow.users.find_credentials("ALICE")
        assert found is not None
        assert (found.user, found.password_hash, found.locked_until) == (alice, "hash-a", None)
        assert await uow.users.find_credentials("nobody") is None
        await uow.users.set_password_hash(alice.id, None)
        assert await uow.users.password_hash(alice.id) is None


async def test_failed_sign_ins_are_counted_within_a_window_and_locking_starts_the_count_afresh(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        alice = await uow.users.add(User("alice", "Alice"), now)
        assert alice.id is not None

        def count(at, window_start=None):
            return uow.users.count_failed_sign_in(alice.id, at, window_start or at - timedelta(minutes=15))

        assert [await count(now + timedelta(minutes=m)) for m in (0, 1, 2)] == [1, 2, 3]
        # The first failure is older than the window: the count starts again from this one.
        assert await count(now + timedelta(minutes=16)) == 1
        assert await count(now + timedelta(minutes=17)) == 2

        until = now + timedelta(minutes=32)
        assert await uow.users.lock(alice.id, until, now + timedelta(minutes=17)) is True
        assert await uow.users.lock(alice.id, until, now + timedelta(minutes=18)) is False  # locked already
        assert await uow.users.locked_until(alice.id) == until
        assert await count(now + timedelta(minutes=18)) == 1  # locking cleared the count

        await uow.users.clear_failed_sign_ins(alice.id)
        assert await uow.users.locked_until(alice.id) is None
        assert await count(now + timedelta(minutes=19)) == 1
        assert await uow.users.locked_until(999) is None


async def test_concurrent_failures_each_count(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        alice = await uow.users.add(User("alice", "Alice"), now)
    assert alice.id is not None

    async def fail() -> int:
        async with services.store.transaction() as uow:
            return await uow.users.count_failed_sign_in(alice.id, now, now - timedelta(minutes=15))

    counts = await asyncio.gather(*(fail() for _ in range(5)))

    assert sorted(counts) == [1, 2, 3, 4, 5]


async def test_lockout_writes_do_not_touch_grants_or_other_users(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        alice = await uow.users.add(User("alice", "Alice"), now)
        bob = await uow.users.add(User("bob", "Bob"), now)
    assert alice.id is not None and bob.id is not None
    async with services.store.transaction() as uow:
        await uow.users.count_failed_sign_in(alice.id, now, now - timedelta(minutes=15))
        await uow.users.lock(alice.id, now + timedelta(minutes=15), now)
        assert uow.access_changed is False
    async with services.store.reading() as uow:
        assert await uow.users.locked_until(bob.id) is None
        assert await uow.users.get(alice.id) == alice  # the user itself is unchanged
