"""The grids' reads: the latest deployment of every project (or of some releases) to every environment, with
its release and its task's state, in a single grouped query whatever the number of past deployments (the
group uses `ix_deployments_project_environment`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.states import TaskState
from seaway.store.database import StoreConnection
from seaway.store.tables import deployments, environments, releases, tasks


@dataclass(frozen=True, slots=True)
class LatestDeployment:
    project_id: int
    environment: str
    deployment_id: int
    release_id: int
    version: str
    state: TaskState
    queued_at: datetime
    finished_at: datetime | None


def _latest(
    project_id: int | None = None, release_ids: Sequence[int] | None = None
) -> sa.Select[tuple[int, str, int, int, str, str, datetime, datetime | None]]:
    keys = [deployments.c.project_id, deployments.c.environment_id]
    if release_ids is not None:
        keys.append(deployments.c.release_id)
    newest = sa.select(*keys, sa.func.max(deployments.c.id).label("deployment_id"))
    if project_id is not None:
        newest = newest.where(deployments.c.project_id == project_id)
    if release_ids is not None:
        newest = newest.where(deployments.c.release_id.in_(release_ids))
    latest = newest.group_by(*keys).subquery("latest")
    return sa.select(
        latest.c.project_id,
        environments.c.name,
        latest.c.deployment_id,
        deployments.c.release_id,
        releases.c.version,
        tasks.c.state,
        tasks.c.queued_at,
        tasks.c.finished_at,
    ).select_from(
        latest.join(deployments, deployments.c.id == latest.c.deployment_id)
        .join(releases, releases.c.id == deployments.c.release_id)
        .join(tasks, tasks.c.deployment_id == deployments.c.id)
        .join(environments, environments.c.id == latest.c.environment_id)
    )


_EVERY_PROJECT = _latest()


async def latest_deployments(conn: StoreConnection, project_id: int | None = None) -> list[LatestDeployment]:
    """The latest deployment of each project (or of one) to each environment it was ever deployed to."""
    return await _read(conn, _EVERY_PROJECT if project_id is None else _latest(project_id))


async def latest_of_releases(conn: StoreConnection, release_ids: Sequence[int]) -> list[LatestDeployment]:
    """The latest deployment of each of the releases to each environment it was deployed to."""
    return await _read(conn, _latest(release_ids=release_ids))


async def _read(conn: StoreConnection, stmt: sa.Select[Any]) -> list[LatestDeployment]:
    return [
        LatestDeployment(
            row.project_id,
            row.name,
            row.deployment_id,
            row.release_id,
            row.version,
            TaskState(row.state),
            row.queued_at,
            row.finished_at,
        )
        for row in await conn.execute(stmt)
    ]
