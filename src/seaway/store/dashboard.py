"""The grids' reads: the latest deployment of every project (or of some releases) to every environment, with
its release and its task's state, in a single query whatever the number of past deployments: the newest
deployment of each place is one seek in `ix_deployments_project_environment`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


def _newest_per_place(project_id: int | None) -> sa.Subquery:
    """The newest deployment id of each (project, environment): one index seek per pair (the index holds the
    id too), not a scan of every deployment ever made."""
    newest = (
        sa.select(deployments.c.id)
        .where(deployments.c.project_id == projects.c.id, deployments.c.environment_id == environments.c.id)
        .order_by(deployments.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    pairs = sa.select(
        projects.c.id.label("project_id"), environments.c.id.label("environment_id"), newest.label("deployment_id")
    ).select_from(projects.join(environments, sa.true()))
    if project_id is not None:
        pairs = pairs.where(projects.c.id == project_id)
    return pairs.subquery("latest")


def _newest_per_release(release_ids: Sequence[int]) -> sa.Subquery:
    keys = (deployments.c.project_id, deployments.c.environment_id, deployments.c.release_id)
    return (
        sa.select(*keys, sa.func.max(deployments.c.id).label("deployment_id"))
        .where(deployments.c.release_id.in_(release_ids))
        .group_by(*keys)
        .subquery("latest")
    )


def _latest(
    project_id: int | None = None, release_ids: Sequence[int] | None = None
) -> sa.Select[tuple[int, str, int, int, str, str, datetime, datetime | None]]:
    latest = _newest_per_release(release_ids) if release_ids is not None else _newest_per_place(project_id)
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
