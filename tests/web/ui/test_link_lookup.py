"""Finding the link a token opens: what is not a token is never hashed, and a hash must match exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from seaway.bootstrap import Services
from seaway.security.tokens import hash_token
from seaway.web.ui.link_lookup import MAX_TOKEN, link_of, lookup_hash, opened_link, read_link


@dataclass(frozen=True)
class _Link:
    token_hash: str


class _Links:
    """A store that finds whatever link it holds, whatever hash it is asked for (as a careless index might)."""

    def __init__(self, link: _Link | None) -> None:
        self.link = link

    async def find_by_hash(self, token_hash: str) -> _Link | None:
        return self.link


def test_an_empty_or_overlong_path_segment_is_not_looked_up() -> None:
    assert lookup_hash("") is None
    assert lookup_hash("x" * (MAX_TOKEN + 1)) is None


def test_a_token_is_looked_up_by_its_hash() -> None:
    assert lookup_hash("x" * MAX_TOKEN) == hash_token("x" * MAX_TOKEN)


async def test_the_link_found_is_the_one_whose_hash_matches() -> None:
    mine = _Link(hash_token("mine"))
    assert await link_of(_Links(mine), hash_token("mine")) is mine


async def test_a_link_with_another_hash_is_not_the_tokens() -> None:
    assert await link_of(_Links(_Link(hash_token("other"))), hash_token("mine")) is None
    assert await link_of(_Links(None), hash_token("mine")) is None


@dataclass(frozen=True)
class _StoredLink:
    token_hash: str
    id: int | None = 7


class _OpenedLinks:
    def __init__(self, link: _StoredLink | None) -> None:
        self.link = link
        self.opened: list[tuple[int, datetime]] = []

    async def find_by_hash(self, token_hash: str) -> _StoredLink | None:
        return self.link

    async def mark_opened(self, link_id: int, now: datetime) -> None:
        self.opened.append((link_id, now))


NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


async def test_a_page_that_opens_the_link_notes_it_as_opened() -> None:
    links = _OpenedLinks(_StoredLink(hash_token("mine")))
    assert await opened_link(links, hash_token("mine"), NOW, opened=True) is links.link
    assert links.opened == [(7, NOW)]


async def test_a_post_finds_the_link_without_noting_an_opening() -> None:
    links = _OpenedLinks(_StoredLink(hash_token("mine")))
    assert await opened_link(links, hash_token("mine"), NOW, opened=False) is links.link
    assert links.opened == []


async def test_an_unknown_token_opens_nothing() -> None:
    links = _OpenedLinks(_StoredLink(hash_token("other")))
    assert await opened_link(links, hash_token("mine"), NOW, opened=True) is None
    assert links.opened == []


class _Store:
    """One unit of work holding `links`; counts the transactions opened."""

    def __init__(self, links: _OpenedLinks) -> None:
        self.uow = SimpleNamespace(links=links)
        self.transactions = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        self.transactions += 1
        yield self.uow


def _services(store: _Store) -> Services:
    return cast("Services", SimpleNamespace(store=store, clock=SimpleNamespace(now=lambda: NOW)))


async def _facts(uow: Any, link: _StoredLink, now: datetime) -> tuple[Any, _StoredLink, datetime]:
    return uow, link, now


async def test_the_link_is_read_in_the_transaction_that_found_it_at_the_clocks_time() -> None:
    store = _Store(_OpenedLinks(_StoredLink(hash_token("mine"))))
    found = await read_link(_services(store), "mine", lambda uow: uow.links, _facts, opened=True)
    assert found == (store.uow, store.uow.links.link, NOW)
    assert store.uow.links.opened == [(7, NOW)]


async def test_an_unknown_token_reads_nothing_and_what_cannot_be_a_token_opens_no_transaction() -> None:
    store = _Store(_OpenedLinks(_StoredLink(hash_token("other"))))
    assert await read_link(_services(store), "mine", lambda uow: uow.links, _facts, opened=True) is None
    assert store.transactions == 1
    assert await read_link(_services(store), "x" * (MAX_TOKEN + 1), lambda uow: uow.links, _facts, opened=True) is None
    assert store.transactions == 1
