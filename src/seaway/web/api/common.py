"""Helpers shared by the API modules: finding entities by id or name, and the store transaction."""

from __future__ import annotations

from typing import Protocol

from seaway.domain.ids import KINDS, parse_id
from seaway.domain.projects import Project
from seaway.errors import Conflict
from seaway.store.unit_of_work import UnitOfWork


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
