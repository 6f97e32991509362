"""Octopus's collection shape, and the `ids=`, `skip=` and `take=` every list takes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query

# The client asks for `take=2147483647` to mean "all"; a page is capped well below that.
MAX_TAKE = 2147483647

Skip = Annotated[int, Query(ge=0)]
Take = Annotated[int, Query(ge=0, le=MAX_TAKE)]
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
