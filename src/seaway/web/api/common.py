"""Helpers shared by the API modules: finding entities by id or name, and the store transaction."""

from __future__ import annotations

from seaway.domain.ids import KINDS, parse_id
from seaway.domain.projects import Project
from seaway.store.unit_of_work import UnitOfWork


def looks_like_id(kind: str, ref: str) -> bool:
    return ref.isdigit() or ref.lower().startswith(KINDS[kind].lower() + "-")


async def find_project(uow: UnitOfWork, ref: str) -> Project:
    """A project by `Projects-3` or by its name."""
    if looks_like_id("project", ref):
        return await uow.projects.get(parse_id("project", ref))
    return await uow.projects.get_by_name(ref)
