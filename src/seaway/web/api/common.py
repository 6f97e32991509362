"""Helpers shared by the API modules: a project by its id or its name, and only if the caller may see it; the
query parameters that filter a list of what waits for a decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from seaway.domain.permissions import Permission
from seaway.domain.projects import Project
from seaway.domain.users import User
from seaway.engine.projects import find_project, looks_like_id
from seaway.store.interruptions import StateFilter
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, require_visible

__all__ = ["MineQuery", "StateQuery", "find_project", "visible_project"]

# The filters of a list of decisions to make (interruptions, change requests).
StateQuery = Annotated[StateFilter, Query(description="pending, completed or all")]
MineQuery = Annotated[bool, Query(description="only the ones I may decide")]


async def visible_project(uow: UnitOfWork, user: User, ref: str) -> Project:
    """The project `ref` names (`Projects-3` or its name); an unknown one and one `user` may not view alike
    are a NotFound."""
    project = await find_project(uow, ref)
    ident = ref if not looks_like_id("project", ref) else project.id
    require_visible(user, Permission.PROJECT_VIEW, Where(project=project.name), "project", ident)
    return project
