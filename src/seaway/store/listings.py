"""Tasks and deployments as a list shows them: each with its project, release and environment, by name and
by id, read for a whole page in one statement (a task also says whether a decision waits on it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from seaway.domain.deployments import Deployment
from seaway.domain.interruptions import InterruptionState
from seaway.domain.tasks import Task
from seaway.store.database import StoreConnection
from seaway.store.deployments import _from_row as deployment_from_row
from seaway.store.scopes import Where
from seaway.store.tables import deployments, environments, interruptions, projects, releases, tasks
from seaway.store.tasks import _task as task_from_row


@dataclass(frozen=True, slots=True)
class Placement:
    """What a task or a deployment deploys, and where."""

    deployment_id: int
    project_id: int
    project: str
    release_id: int
    release_version: str
    environment_id: int
    environment: str

    @property
    def where(self) -> Where:
        return Where(self.project, self.environment)


@dataclass(frozen=True, slots=True)
class PlacedTask:
    task: Task
    placement: Placement
    awaiting_decision: bool  # a pending interruption (a manual intervention) waits on the task

    @property
    def number(self) -> int:
        return self.task.id


@dataclass(frozen=True, slots=True)
class PlacedDeployment:
    deployment: Deployment
    placement: Placement

    @property
    def number(self) -> int:
        return self.placement.deployment_id


_PLACED = (
    deployments.join(projects, projects.c.id == deployments.c.project_id)
    .join(environments, environments.c.id == deployments.c.environment_id)
    .join(releases, releases.c.id == deployments.c.release_id)
)
_NAMES = (
    projects.c.name.label("project_name"),
    releases.c.version.label("release_version"),
    environments.c.name.label("environment_name"),
)
_PLACEMENT = (deployments.c.project_id, deployments.c.release_id, deployments.c.environment_id, *_NAMES)
_PENDING = sa.exists(
    sa.select(interruptions.c.id).where(
        interruptions.c.task_id == tasks.c.id, interruptions.c.state == InterruptionState.PENDING.value
    )
)


def _placement(row: Any, deployment_id: int) -> Placement:
    return Placement(
        deployment_id,
        row.project_id,
        row.project_name,
        row.release_id,
        row.release_version,
        row.environment_id,
        row.environment_name,
    )


def _newest(stmt: sa.Select[Any], id_column: Any, ids: Sequence[int] | None, before: int | None) -> sa.Select[Any]:
    stmt = stmt.order_by(id_column.desc())
    if ids is not None:
        stmt = stmt.where(id_column.in_(sorted(set(ids))))
    if before is not None:
        stmt = stmt.where(id_column < before)
    return stmt


class Listings:
    """Read on the connection of a unit of work: `Listings(uow.conn)`. Newest first; `ids`: only those,
    `before`: only ids below it (paging)."""

    def __init__(self, conn: StoreConnection) -> None:
        self.conn = conn

    async def tasks(
        self, *, ids: Sequence[int] | None = None, before: int | None = None, limit: int = 100
    ) -> list[PlacedTask]:
        stmt = sa.select(tasks, *_PLACEMENT, _PENDING.label("awaiting_decision")).select_from(
            tasks.join(_PLACED, deployments.c.id == tasks.c.deployment_id)
        )
        rows = await self.conn.execute(_newest(stmt, tasks.c.id, ids, before).limit(limit))
        return [
            PlacedTask(task_from_row(row), _placement(row, row.deployment_id), bool(row.awaiting_decision))
            for row in rows
        ]

    async def deployments(
        self, *, ids: Sequence[int] | None = None, before: int | None = None, limit: int = 100
    ) -> list[PlacedDeployment]:
        stmt = sa.select(deployments, *_NAMES, tasks.c.id.label("task_id")).select_from(
            _PLACED.outerjoin(tasks, tasks.c.deployment_id == deployments.c.id)
        )
        rows = await self.conn.execute(_newest(stmt, deployments.c.id, ids, before).limit(limit))
        return [PlacedDeployment(deployment_from_row(row), _placement(row, row.id)) for row in rows]
