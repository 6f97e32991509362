"""The approval-links repository on both databases: found by hash, consumed once, revoked, gone with their
interruption."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from tests.fixtures.approvals import user_named
from tests.fixtures.factories import add_interruption

from seaway.domain.interruptions import ApprovalLink, Result
from seaway.store.tables import approval_links


async def test_a_link_is_consumed_once_and_never_when_expired_or_revoked(services):
    interruption = await add_interruption(services)
    alice = await user_named(services, "alice")
    assert interruption.id is not None and alice.id is not None
    now = services.clock.now()

    def link(token_hash: str, **overrides) -> ApprovalLink:
        values = {
            "interruption_id": interruption.id,
            "user_id": alice.id,
            "decision": Result.PROCEED,
            "token_hash": token_hash,
            "content_hash": "c" * 64,
            "created_at": now,
            "expires_at": now + timedelta(hours=72),
            **overrides,
        }
        return ApprovalLink(**values)

    async with services.store.transaction() as uow:
        await uow.approval_links.add_many([link("1" * 64), link("2" * 64), link("3" * 64, expires_at=now)])
        found = await uow.approval_links.find_by_hash("1" * 64)
        assert found is not None and found.id is not None
        await uow.approval_links.mark_opened(found.id, now)
        await uow.approval_links.mark_opened(found.id, now + timedelta(minutes=5))
        used = await uow.approval_links.consume("1" * 64, now)
        assert await uow.approval_links.consume("1" * 64, now) is None
        assert await uow.approval_links.consume("3" * 64, now) is None  # expired
        assert await uow.approval_links.consume("f" * 64, now) is None  # unknown
        assert await uow.approval_links.revoke_for_interruption(interruption.id, now) == 2
        assert await uow.approval_links.consume("2" * 64, now) is None  # revoked
        assert await uow.approval_links.find_by_hash("nope") is None
    assert used is not None and used.used_at == now and used.opened_at == now


async def test_links_are_removed_with_their_interruption(services):
    interruption = await add_interruption(services)
    alice = await user_named(services, "alice")
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.approval_links.add_many(
            [
                ApprovalLink(
                    interruption_id=interruption.id or 0,
                    user_id=alice.id or 0,
                    decision=Result.ABORT,
                    token_hash="9" * 64,
                    content_hash="c" * 64,
                    created_at=now,
                    expires_at=now,
                )
            ]
        )
        await uow.conn.execute(sa.text("DELETE FROM interruptions"))
        remaining = (await uow.conn.execute(sa.select(sa.func.count()).select_from(approval_links))).scalar_one()
    assert remaining == 0


async def test_revoking_for_one_user_leaves_the_others_links_and_they_list_in_order(services):
    interruption = await add_interruption(services)
    alice, bob = await user_named(services, "alice"), await user_named(services, "bob")
    assert interruption.id is not None and alice.id is not None and bob.id is not None
    now = services.clock.now()
    later = now + timedelta(hours=1)
    links = [
        ApprovalLink(
            interruption_id=interruption.id,
            user_id=user_id,
            decision=Result.PROCEED,
            token_hash=token_hash,
            content_hash="c" * 64,
            created_at=now,
            expires_at=later,
        )
        for user_id, token_hash in [(alice.id, "a" * 64), (bob.id, "b" * 64)]
    ]
    async with services.store.transaction() as uow:
        await uow.approval_links.add_many([])
        await uow.approval_links.add_many(links)
        revoked = await uow.approval_links.revoke_for_interruption(interruption.id, now, user_id=alice.id)
        listed = await uow.approval_links.list_for_interruption(interruption.id)
        assert await uow.approval_links.list_for_interruption(interruption.id + 1) == []
    assert revoked == 1
    assert [(link.user_id, link.revoked_at) for link in listed] == [(alice.id, now), (bob.id, None)]
