"""Octopus's environment and project look-ups, each showing only what the caller may view.

There is deliberately no `/environments/v2`: deploy-release-action asks it first and falls back to
`/environments` only on a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, Query

from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.web.access import Where, visible
from seaway.web.api.common import visible_project
from seaway.web.auth import AuthenticatedRead
from seaway.web.octopus.collections import Ids, Skip, Take, collection, numbers_in
from seaway.web.octopus.representations import environment_resource, project_resource
from seaway.web.octopus.space import InSpace

router = APIRouter(include_in_schema=False)


class Named(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


@dataclass(frozen=True)
class ListQuery:
    """`skip`, `take`, `ids` and `partialName` (part of the name, any case)."""

    skip: Skip = 0
    take: Take = 30
    ids: Ids = None
    partial_name: Annotated[str | None, Query(alias="partialName")] = None

    def listed(
        self,
        kind: str,
        user: User,
        permission: Permission,
        items: Sequence[N],
        where_of: Callable[[N], Where],
        represent: Callable[[N], dict[str, Any]],
    ) -> dict[str, Any]:
        """The collection of the `items` the user may see that this query asks for."""
        numbers = numbers_in(kind, self.ids)
        wanted = set(numbers) if numbers is not None else None
        part = (self.partial_name or "").lower()
        found = [
            item
            for item in visible(user, permission, items, where_of)
            if (wanted is None or item.id in wanted) and part in item.name.lower()
        ]
        return collection(kind.title(), [represent(i) for i in found], skip=self.skip, take=self.take)


Listed = Annotated[ListQuery, Depends()]


@router.get("/api/{space_id}/environments")
async def list_environments(read: AuthenticatedRead, space_id: InSpace, query: Listed) -> dict[str, Any]:
    """The environments the caller may view (`environment.view`), in their sort order."""
    environments = await read.uow.environments.list()
    return query.listed(
        "environment",
        read.user,
        Permission.ENVIRONMENT_VIEW,
        environments,
        lambda e: Where(environment=e.name),
        environment_resource,
    )


@router.get("/api/{space_id}/projects")
async def list_projects(read: AuthenticatedRead, space_id: InSpace, query: Listed) -> dict[str, Any]:
    """The projects the caller may view (`project.view`), in id order."""
    projects = await read.uow.projects.list_summaries()
    return query.listed(
        "project", read.user, Permission.PROJECT_VIEW, projects, lambda p: Where(project=p.name), project_resource
    )


@router.get("/api/{space_id}/projects/{project_ref}")
async def get_project(read: AuthenticatedRead, space_id: InSpace, project_ref: str) -> dict[str, Any]:
    """A project by `Projects-N` or by its name."""
    return project_resource(await visible_project(read.uow, read.user, project_ref))
