"""Helpers shared by the API modules: reading a JSON body, finding entities by id or name, name clashes."""

from __future__ import annotations

import json
from typing import Any, Protocol

from fastapi import Request

from seaway.domain.ids import KINDS, parse_id
from seaway.domain.projects import Project
from seaway.errors import Conflict, InvalidJson
from seaway.store.unit_of_work import UnitOfWork


async def json_body(request: Request) -> Any:
    """The request's JSON document; a missing or malformed body is a 400 naming the body, never a 500."""
    raw = await request.body()
    if not raw.strip():
        raise InvalidJson("the request needs a JSON body", field="body")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # ValueError covers bad JSON and bad UTF-8 alike
        raise InvalidJson(f"the request body is not valid JSON: {exc}", field="body") from None


def looks_like_id(kind: str, ref: str) -> bool:
    return ref.isdigit() or ref.lower().startswith(KINDS[kind].lower() + "-")


async def find_project(uow: UnitOfWork, ref: str) -> Project:
    """A project by `Projects-3` or by its name."""
    if looks_like_id("project", ref):
        return await uow.projects.get(parse_id("project", ref))
    return await uow.projects.get_by_name(ref)


class Named(Protocol):
    @property
    def id(self) -> int | None: ...


def refuse_name_clash(clash: Named | None, own_id: int | None, what: str, *, field: str = "name") -> None:
    """Names are unique (case-insensitively): another object already using this one is a conflict."""
    if clash is not None and clash.id != own_id:
        raise Conflict(f"{what} already exists", field=field)
