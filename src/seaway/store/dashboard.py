"""The dashboard's one read: the latest deployment of every project to every environment, with its release
and its task's state, in a single grouped query whatever the number of past deployments (the group uses
`ix_deployments_project_environment`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


def _latest(project_id: int | None) -> sa.Select[tuple[int, str, int, int, str, str, datetime, datetime | None]]:
    newest = sa.select(
        deployments.c.project_id,
        deployments.c.environment_id,
        sa.func.max(deployments.c.id).label("deployment_id"),
    )
    if project_id is not None:
        newest = newest.where(deployments.c.project_id == project_id)
    latest = newest.group_by(deployments.c.project_id, deployments.c.environment_id).subquery("latest")
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


_EVERY_PROJECT = _latest(None)


async def latest_deployments(conn: StoreConnection, project_id: int | None = None) -> list[LatestDeployment]:
    """The latest deployment of each project (or of one) to each environment it was ever deployed to."""
    stmt = _EVERY_PROJECT if project_id is None else _latest(project_id)
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
