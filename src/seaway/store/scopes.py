"""Where an object lies, as permissions are checked: the names of its project and environment.

Grants are scoped by names; tasks, deployments and releases point at their project and environment by id.
One indexed join per object reads the names as they are now (a renamed project is checked by its new name).
The hot look-ups are built once with bind parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from seaway.domain.states import TaskState
from seaway.domain.tasks import Task
from seaway.errors import NotFound
from seaway.store.database import StoreConnection
from seaway.store.tables import deployments, environments, projects, releases, tasks
from seaway.store.tasks import _task as task_from_row


@dataclass(frozen=True, slots=True)
class Where:
    """The project and environment names an object is checked against; None: the object has none."""

    project: str | None = None
    environment: str | None = None


_PLACED = deployments.join(projects, projects.c.id == deployments.c.project_id).join(
    environments, environments.c.id == deployments.c.environment_id
)
_NAMES = (projects.c.name.label("project_name"), environments.c.name.label("environment_name"))
_OF_DEPLOYMENT = sa.select(*_NAMES).select_from(_PLACED).where(deployments.c.id == sa.bindparam("b_id"))
_OF_TASK = (
    sa.select(*_NAMES)
    .select_from(tasks.join(_PLACED, deployments.c.id == tasks.c.deployment_id))
    .where(tasks.c.id == sa.bindparam("b_id"))
)
_OF_RELEASE = (
    sa.select(projects.c.name.label("project_name"))
    .select_from(releases.join(projects, projects.c.id == releases.c.project_id))
    .where(releases.c.id == sa.bindparam("b_id"))
)
_OF_PROJECT = sa.select(projects.c.name.label("project_name")).where(projects.c.id == sa.bindparam("b_id"))
_PROJECT_NAMES = sa.select(projects.c.id, projects.c.name)


def _unknown(entity: str, ident: int) -> NotFound:
    # The message the entity's own repository gives for an unknown id.
    return NotFound(f"{entity} {ident} does not exist", entity=entity, id=str(ident))


class Scopes:
    """Read on the connection of a unit of work: `Scopes(uow.conn)`."""

    def __init__(self, conn: StoreConnection) -> None:
        self.conn = conn

    async def _placed(self, stmt: Any, entity: str, ident: int) -> Where:
        row = (await self.conn.execute(stmt, {"b_id": ident})).first()
        if row is None:
            raise _unknown(entity, ident)
        return Where(row.project_name, getattr(row, "environment_name", None))

    async def of_task(self, task_id: int) -> Where:
        return await self._placed(_OF_TASK, "task", task_id)

    async def of_deployment(self, deployment_id: int) -> Where:
        return await self._placed(_OF_DEPLOYMENT, "deployment", deployment_id)

    async def of_project(self, project_id: int) -> Where:
        return await self._placed(_OF_PROJECT, "project", project_id)

    async def of_release(self, release_id: int) -> Where:
        return await self._placed(_OF_RELEASE, "release", release_id)

    async def of_deployments(self, deployment_ids: Iterable[int]) -> dict[int, Where]:
        wanted = sorted(set(deployment_ids))
        if not wanted:
            return {}
        stmt = sa.select(deployments.c.id, *_NAMES).select_from(_PLACED).where(deployments.c.id.in_(wanted))
        return {row.id: Where(row.project_name, row.environment_name) for row in await self.conn.execute(stmt)}

    async def project_names(self) -> dict[int, str]:
        return {row.id: row.name for row in await self.conn.execute(_PROJECT_NAMES)}

    async def tasks(self, *, state: TaskState | None, before: int | None, limit: int) -> list[tuple[Task, Where]]:
        """Tasks newest first, each with where it runs; `before`: only tasks with a smaller id (paging)."""
        stmt = (
            sa.select(tasks, *_NAMES)
            .select_from(tasks.join(_PLACED, deployments.c.id == tasks.c.deployment_id))
            .order_by(tasks.c.id.desc())
            .limit(limit)
        )
        if state is not None:
            stmt = stmt.where(tasks.c.state == state.value)
        if before is not None:
            stmt = stmt.where(tasks.c.id < before)
        return [
            (task_from_row(row), Where(row.project_name, row.environment_name)) for row in await self.conn.execute(stmt)
        ]
