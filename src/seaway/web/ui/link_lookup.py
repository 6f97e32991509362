"""Finding the emailed link a token opens, for every kind of link (an interruption's, a change request's).

The store finds a link by an index on its token's hash; the final comparison is constant-time all the same,
so how long a lookup takes reveals nothing about the hashes kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar

from seaway.bootstrap import Services
from seaway.security.tokens import hash_token, tokens_equal
from seaway.store.unit_of_work import UnitOfWork

# Real tokens are 43 characters (256 bits); a much longer path segment is not a token worth hashing.
MAX_TOKEN = 128


class _Hashed(Protocol):
    @property
    def token_hash(self) -> str: ...


Link = TypeVar("Link", bound=_Hashed, covariant=True)
Found = TypeVar("Found", bound=_Hashed)


class LinksByHash(Protocol[Link]):
    async def find_by_hash(self, token_hash: str) -> Link | None: ...


def lookup_hash(token: str) -> str | None:
    """The hash to look `token` up by; None for what cannot be a token (empty, or far too long)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return hash_token(token)


async def link_of(links: LinksByHash[Found], token_hash: str) -> Found | None:
    """The link whose token has `token_hash`, or None."""
    link = await links.find_by_hash(token_hash)
    return link if link is not None and tokens_equal(link.token_hash, token_hash) else None


class _Stored(_Hashed, Protocol):
    @property
    def id(self) -> int | None: ...


StoredLink = TypeVar("StoredLink", bound=_Stored, covariant=True)
Opened = TypeVar("Opened", bound=_Stored)


class OpenedLinks(LinksByHash[StoredLink], Protocol[StoredLink]):
    async def mark_opened(self, link_id: int, now: datetime) -> None: ...


async def opened_link(links: OpenedLinks[Opened], token_hash: str, now: datetime, *, opened: bool) -> Opened | None:
    """`link_of`, and the link's page noted as opened now when `opened` (telemetry only, never a signal)."""
    link = await link_of(links, token_hash)
    if link is not None and opened:
        assert link.id is not None
        await links.mark_opened(link.id, now)
    return link


Read = TypeVar("Read")


async def read_link(
    services: Services,
    token: str,
    links_in: Callable[[UnitOfWork], OpenedLinks[Opened]],
    read: Callable[[UnitOfWork, Opened, datetime], Awaitable[Read]],
    *,
    opened: bool,
) -> Read | None:
    """What `read` makes of the link `token` opens among `links_in` a transaction, read in the same
    transaction as the look-up (and the page noted as opened when `opened`); None for an unknown token."""
    token_hash = lookup_hash(token)
    if token_hash is None:
        return None
    now = services.clock.now()
    async with services.store.transaction() as uow:
        link = await opened_link(links_in(uow), token_hash, now, opened=opened)
        if link is None:
            return None
        return await read(uow, link, now)
