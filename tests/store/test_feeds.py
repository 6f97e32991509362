"""The feeds repository on both databases: every field round-trips, the password decrypted again and kept
encrypted in its row, feeds are listed in the order they were added, found by name in any case, an unknown
name is NotFound naming it, and names are unique whatever the case."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from seaway.domain.packages import Feed, FeedType
from seaway.errors import Conflict, NotFound
from seaway.security.secrets import MasterKey
from seaway.store import tables

NUGET_ORG = Feed("nuget.org", FeedType.NUGET, "https://api.nuget.org/v3/index.json")


async def test_every_field_round_trips_with_the_password_encrypted_at_rest(services):
    private = Feed("Private", FeedType.NUGET, "https://feed.example/v3/index.json", "ci", "p4ss")
    async with services.store.transaction() as uow:
        added = await uow.feeds.add(private)
        public = await uow.feeds.add(NUGET_ORG)
    async with services.store.reading() as uow:
        assert await uow.feeds.get_by_name("PRIVATE") == added
        assert await uow.feeds.find_by_name("NuGet.org") == public
        stored = dict((await uow.conn.execute(sa.select(tables.feeds.c.name, tables.feeds.c.password))).all())
    assert added.id is not None and added.password == "p4ss" and public.username is public.password is None
    assert stored["nuget.org"] is None and MasterKey.is_encrypted(stored["Private"])


async def test_a_save_replaces_every_field_and_the_list_keeps_the_order_of_adding(services):
    async with services.store.transaction() as uow:
        zeta = await uow.feeds.add(Feed("Zeta", FeedType.NUGET, "https://zeta.example/v3/index.json", "z", "pw"))
        public = await uow.feeds.add(NUGET_ORG)
        saved = await uow.feeds.save(Feed("Alpha", FeedType.NUGET, "https://alpha.example/", None, None, zeta.id))
    async with services.store.reading() as uow:
        assert await uow.feeds.list() == [saved, public]
        assert await uow.feeds.find_by_name("Zeta") is None


async def test_an_unknown_feed_is_not_found_and_a_name_is_taken_whatever_the_case(services):
    async with services.store.transaction() as uow:
        assert await uow.feeds.find_by_name("nowhere") is None
        with pytest.raises(NotFound) as by_name:
            await uow.feeds.get_by_name("Nowhere")
        await uow.feeds.add(NUGET_ORG)
    assert (by_name.value.entity, by_name.value.id) == ("feed", "Nowhere")
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.feeds.add(Feed("NUGET.ORG", FeedType.NUGET, "https://other.example/"))
