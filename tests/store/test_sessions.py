"""The browser sessions repository on both databases: found by token hash until they expire."""

from __future__ import annotations

from datetime import timedelta

from seaway.domain.users import User
from seaway.store.sessions import IP_LENGTH, USER_AGENT_LENGTH
from seaway.store.tables import sessions


async def _user_id(services) -> int:
    async with services.store.transaction() as uow:
        user = await uow.users.add(User("alice", "Alice"), services.clock.now())
    assert user.id is not None
    return user.id


async def test_a_session_is_found_by_its_hash_until_it_expires(services):
    user_id = await _user_id(services)
    now = services.clock.now()
    expires = now + timedelta(hours=8)
    async with services.store.transaction() as uow:
        added = await uow.sessions.add(
            token_hash="h" * 64,
            user_id=user_id,
            csrf_token="csrf",
            now=now,
            expires_at=expires,
            ip="1" * 100,
            user_agent="u" * 1000,
        )
        assert await uow.sessions.find_by_hash("h" * 64, now) == added
        assert await uow.sessions.find_by_hash("h" * 64, expires) is None
        assert await uow.sessions.find_by_hash("x" * 64, now) is None
        [row] = (await uow.conn.execute(sessions.select())).all()
    assert (added.user_id, added.csrf_token, added.expires_at) == (user_id, "csrf", expires)
    assert (len(row.ip), len(row.user_agent)) == (IP_LENGTH, USER_AGENT_LENGTH)


async def test_sessions_end_one_by_one_per_user_or_once_expired(services):
    user_id = await _user_id(services)
    now = services.clock.now()
    async with services.store.transaction() as uow:
        for n, hours in enumerate([1, 2, 3, 4]):
            expires = now + timedelta(hours=hours)
            await uow.sessions.add(token_hash=str(n) * 64, user_id=user_id, csrf_token="c", now=now, expires_at=expires)
        await uow.sessions.delete("3" * 64)
        assert await uow.sessions.delete_expired(now + timedelta(hours=2)) == 2
        assert await uow.sessions.find_by_hash("2" * 64, now) is not None
        await uow.sessions.delete_for_user(user_id)
        assert await uow.sessions.find_by_hash("2" * 64, now) is None


async def test_the_other_sessions_of_a_user_end_and_the_last_use_is_recorded_at_most_once_a_minute(services):
    user_id = await _user_id(services)
    now = services.clock.now()
    later = now + timedelta(hours=8)
    async with services.store.transaction() as uow:
        kept = await uow.sessions.add(token_hash="k" * 64, user_id=user_id, csrf_token="c", now=now, expires_at=later)
        for n in range(3):
            await uow.sessions.add(token_hash=str(n) * 64, user_id=user_id, csrf_token="c", now=now, expires_at=later)
        assert kept.last_seen_at is None and kept.last_active == now
        assert await uow.sessions.delete_for_user(user_id, keep=kept.id) == 3

        minute = timedelta(minutes=1)
        await uow.sessions.record_use(kept.id, now + timedelta(seconds=30), stale=now + timedelta(seconds=30) - minute)
        assert (await uow.sessions.find_by_hash("k" * 64, now)).last_seen_at is None  # within its first minute
        at = now + timedelta(minutes=2)
        await uow.sessions.record_use(kept.id, at, stale=at - minute)
        await uow.sessions.record_use(kept.id, at + timedelta(seconds=10), stale=at + timedelta(seconds=10) - minute)
        found = await uow.sessions.find_by_hash("k" * 64, now)
    assert found is not None and found.last_seen_at == at and found.last_active == at
