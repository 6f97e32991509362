"""Finding the link a token opens: what is not a token is never hashed, and a hash must match exactly."""

from __future__ import annotations

from dataclasses import dataclass

from seaway.security.tokens import hash_token
from seaway.web.ui.link_lookup import MAX_TOKEN, link_of, lookup_hash


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
