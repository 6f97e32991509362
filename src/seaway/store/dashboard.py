"""The grids' reads: the latest deployment of every project (or of some releases) to every environment, with
its release and its task's state, in two statements whatever the number of past deployments: the newest
deployment of each place is one seek in `ix_deployments_project_environment`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from seaway.domain.states import TaskState
from seaway.store.database import StoreConnection
from seaway.store.tables import deployments, environments, projects, releases, tasks


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


def _newest_per_place(project_ids: Sequence[int]) -> sa.Select[tuple[int | None]]:
    """The newest deployment id of each (project, environment): one index range per pair, not a scan of every
    deployment ever made. Its own statement: joined to the rows it names, PostgreSQL plans it as a scan."""
    # `id + 0`: the newest by `id` alone lets PostgreSQL walk the primary key backwards from the newest
    # deployment of all until it meets one of the pair (half the table for an old project); this way both
    # databases read the pair's entries in `ix_deployments_project_environment` and nothing else.
    newest = (
        sa.select(sa.func.max(deployments.c.id + 0))
        .where(deployments.c.project_id == projects.c.id, deployments.c.environment_id == environments.c.id)
        .scalar_subquery()
    )
    return (
        sa.select(newest.label("deployment_id"))
        .select_from(projects.join(environments, sa.true()))
        .where(projects.c.id.in_(project_ids))
    )


def _newest_per_release(release_ids: Sequence[int]) -> sa.Select[tuple[int | None]]:
    keys = (deployments.c.environment_id, deployments.c.release_id)
    return (
        sa.select(sa.func.max(deployments.c.id).label("deployment_id"))
        .where(deployments.c.release_id.in_(release_ids))
        .group_by(*keys)
    )


_DEPLOYMENTS = sa.select(
    deployments.c.project_id,
    environments.c.name,
    deployments.c.id.label("deployment_id"),
    deployments.c.release_id,
    releases.c.version,
    tasks.c.state,
    tasks.c.queued_at,
    tasks.c.finished_at,
).select_from(
    deployments.join(releases, releases.c.id == deployments.c.release_id)
    .join(tasks, tasks.c.deployment_id == deployments.c.id)
    .join(environments, environments.c.id == deployments.c.environment_id)
)


async def latest_deployments(conn: StoreConnection, project_ids: Sequence[int]) -> list[LatestDeployment]:
    """The latest deployment of each of the projects to each environment it was ever deployed to."""
    return await _read(conn, _newest_per_place(project_ids))


async def latest_of_releases(conn: StoreConnection, release_ids: Sequence[int]) -> list[LatestDeployment]:
    """The latest deployment of each of the releases to each environment it was deployed to."""
    return await _read(conn, _newest_per_release(release_ids))


async def _read(conn: StoreConnection, newest: sa.Select[tuple[int | None]]) -> list[LatestDeployment]:
    """The deployments `newest` names, with their releases and tasks: two statements whatever the data."""
    ids = [row.deployment_id for row in await conn.execute(newest) if row.deployment_id is not None]
    stmt = _DEPLOYMENTS.where(deployments.c.id.in_(ids))
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
