"""Octopus's collection shape, the `ids=`, `skip=` and `take=` every list takes, and how a list of objects
the caller may partly not see is read: newest first, the invisible left out."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Sequence
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Query

from seaway.domain.ids import KINDS, parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.errors import InvalidInput
from seaway.store.listings import Placement
from seaway.web.access import visible

# The client asks for `take=2147483647` to mean "all"; a page is capped well below that.
MAX_TAKE = 2147483647

Skip = Annotated[int, Query(ge=0)]
Take = Annotated[int, Query(ge=0, le=MAX_TAKE)]
# A list without `ids` holds the newest this many objects the caller may see.
LIST_LIMIT = 1000
# The most ids one request may ask for (Octopus's task waiter asks for 300 at a time).
MAX_IDS = 1000

Ids = Annotated[str | None, Query(description="comma-joined ids, e.g. ServerTasks-1,ServerTasks-2")]


def split_ids(ids: str | None) -> list[str] | None:
    """`Deployments-1,Deployments-2` as a list (None: no filter); blanks are dropped."""
    if ids is None:
        return None
    return [part.strip() for part in ids.split(",") if part.strip()]


def collection(item_type: str, items: Sequence[dict[str, Any]], *, skip: int = 0, take: int = 30) -> dict[str, Any]:
    """`items` (all that match) as Octopus pages them: `Items` is the page `skip`…`skip+take`."""
    page = list(items[skip : skip + take])
    per_page = take if take > 0 else len(items)
    pages = math.ceil(len(items) / per_page) if per_page else 0
    return {
        "ItemType": item_type,
        "TotalResults": len(items),
        "ItemsPerPage": per_page,
        "NumberOfPages": pages,
        "LastPageNumber": max(pages - 1, 0),
        "Items": page,
        "Links": {},
    }


def numbers_in(kind: str, ids: str | None) -> list[int] | None:
    """The numbers of the `Deployments-7` ids in `ids` (None: no filter); an id of another kind, or no id
    at all, matches nothing."""
    wanted = split_ids(ids)
    if wanted is None:
        return None
    if len(wanted) > MAX_IDS:
        raise InvalidInput(f"ask for at most {MAX_IDS} ids at a time, not {len(wanted)}", field="ids")
    prefix = KINDS[kind].lower() + "-"
    return [parse_id(kind, ident) for ident in wanted if _is_id(ident, prefix, kind)]


def _is_id(ident: str, prefix: str, kind: str) -> bool:
    if not ident.lower().startswith(prefix):
        return False
    try:
        parse_id(kind, ident)
    except InvalidInput:
        return False
    return True


class Placed(Protocol):
    @property
    def number(self) -> int: ...

    @property
    def placement(self) -> Placement: ...


P = TypeVar("P", bound=Placed)


class Fetch(Protocol[P]):
    """Reads a page newest first: `ids` only those, `before` only numbers below it."""

    def __call__(self, *, ids: Sequence[int] | None, before: int | None, limit: int) -> Awaitable[list[P]]: ...


async def newest_visible(fetch: Fetch[P], user: User, permission: Permission, numbers: list[int] | None) -> list[P]:
    """The objects `numbers` names (all of them when None, up to `LIST_LIMIT`), newest first, as far as
    `user` may see them (`permission` where each is placed)."""

    def keep(page: list[P]) -> list[P]:
        return visible(user, permission, page, lambda placed: placed.placement.where)

    if numbers is not None:
        return keep(await fetch(ids=numbers, before=None, limit=max(len(numbers), 1))) if numbers else []
    found: list[P] = []
    before = None
    while len(found) < LIST_LIMIT:
        page = await fetch(ids=None, before=before, limit=LIST_LIMIT)
        found.extend(keep(page))
        if len(page) < LIST_LIMIT:
            break
        before = page[-1].number
    return found[:LIST_LIMIT]
