"""The change-request-links repository on both databases: a link is found by its token's hash, its first
opening is kept, it is consumed once and never when expired, used or revoked; revoking voids only the
request's open links (only one person's when asked) and says how many; a request's links list in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from tests.fixtures.approvals import user_named
from tests.fixtures.change_request_records import a_change_request, queued_deployments

from seaway.bootstrap import Services
from seaway.domain.change_requests import ChangeRequest, ChangeRequestLink
from seaway.domain.interruptions import Result
from seaway.domain.users import User


async def two_requests(services: Services) -> tuple[ChangeRequest, ChangeRequest]:
    """Pending change requests of two queued deployments."""
    first, second = await queued_deployments(services, 2)
    async with services.store.transaction() as uow:
        now = services.clock.now()
        return (
            await uow.change_requests.add(a_change_request(first, now)),
            await uow.change_requests.add(a_change_request(second, now)),
        )


def link_of(request: ChangeRequest, user: User, token_hash: str, at: datetime, **overrides: Any) -> ChangeRequestLink:
    """`user`'s link to approve `request`, made `at` and open for 72 hours unless `overrides` say otherwise."""
    assert request.id is not None and user.id is not None
    values: dict[str, Any] = {"decision": Result.PROCEED, "expires_at": at + timedelta(hours=72), **overrides}
    return ChangeRequestLink(
        change_request_id=request.id, user_id=user.id, token_hash=token_hash, created_at=at, **values
    )


async def test_a_link_round_trips_keeps_its_first_opening_and_is_consumed_once(services):
    request, _ = await two_requests(services)
    alice = await user_named(services, "alice")
    now = services.clock.now()
    rejecting = link_of(request, alice, "1" * 64, now, decision=Result.ABORT)
    expired = link_of(request, alice, "2" * 64, now, expires_at=now)
    async with services.store.transaction() as uow:
        await uow.change_request_links.add_many([])
        await uow.change_request_links.add_many([rejecting, expired])
        found = await uow.change_request_links.find_by_hash("1" * 64)
        assert found is not None and found.id is not None
        assert found == replace(rejecting, id=found.id)
        await uow.change_request_links.mark_opened(found.id, now + timedelta(minutes=1))
        await uow.change_request_links.mark_opened(found.id, now + timedelta(minutes=2))
        assert await uow.change_request_links.consume("1" * 64, now + timedelta(minutes=3)) is True
        assert await uow.change_request_links.consume("1" * 64, now + timedelta(minutes=4)) is False  # used
        assert await uow.change_request_links.consume("2" * 64, now) is False  # expired
        assert await uow.change_request_links.consume("f" * 64, now) is False  # unknown
        assert await uow.change_request_links.find_by_hash("f" * 64) is None
        used = await uow.change_request_links.find_by_hash("1" * 64)
    assert used is not None
    assert (used.opened_at, used.used_at, used.revoked_at) == (
        now + timedelta(minutes=1),
        now + timedelta(minutes=3),
        None,
    )


async def test_revoking_voids_only_the_requests_open_links_and_they_list_in_order(services):
    request, other_request = await two_requests(services)
    alice, bob = await user_named(services, "alice"), await user_named(services, "bob")
    assert request.id is not None and other_request.id is not None
    now = services.clock.now()
    later = now + timedelta(minutes=10)
    async with services.store.transaction() as uow:
        await uow.change_request_links.add_many(
            [
                link_of(request, alice, "a" * 64, now),
                link_of(request, bob, "b" * 64, now),
                link_of(request, bob, "c" * 64, now, decision=Result.ABORT),
                link_of(other_request, bob, "d" * 64, now),
            ]
        )
        assert await uow.change_request_links.consume("c" * 64, now) is True
        assert await uow.change_request_links.revoke(request.id, later, user_id=alice.id) == 1
        assert await uow.change_request_links.revoke(request.id, later) == 1  # bob's open one; his used one stays
        assert await uow.change_request_links.revoke(request.id, later) == 0
        listed = await uow.change_request_links.list_for(request.id)
        other = await uow.change_request_links.list_for(other_request.id)
        assert await uow.change_request_links.list_for(request.id + other_request.id) == []
    assert [(link.token_hash[0], link.user_id, link.used_at, link.revoked_at) for link in listed] == [
        ("a", alice.id, None, later),
        ("b", bob.id, None, later),
        ("c", bob.id, now, None),
    ]
    assert [(link.token_hash[0], link.revoked_at) for link in other] == [("d", None)]
