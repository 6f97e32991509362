from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from seaway.domain.deployments import Deployment
from seaway.domain.states import TaskState
from seaway.store.base import Repository, row_as, values_of
from seaway.store.tables import deployments as t
from seaway.store.tables import environments, tasks


def _select() -> sa.Select[Any]:
    return (
        sa.select(t, environments.c.name.label("environment_name"), tasks.c.id.label("task_id"))
        .join(environments, environments.c.id == t.c.environment_id)
        .outerjoin(tasks, tasks.c.deployment_id == t.c.id)
    )


def _from_row(row: Any) -> Deployment:
    return row_as(Deployment, row, environment=row.environment_name)


class DeploymentRepository(Repository):
    async def get(self, deployment_id: int) -> Deployment:
        return _from_row(await self._one(_select().where(t.c.id == deployment_id), "deployment", deployment_id))

    async def add(self, deployment: Deployment, environment_id: int) -> Deployment:
        new_id = await self._insert(t, values_of(deployment, t, environment_id=environment_id))
        return await self.get(new_id)

    async def list_for_release(self, release_id: int) -> list[Deployment]:
        stmt = _select().where(t.c.release_id == release_id).order_by(t.c.id)
        return [_from_row(r) for r in await self.conn.execute(stmt)]

    async def succeeded_environments(self, release_id: int) -> list[str]:
        """Names of the environments this release reached with a successful deployment."""
        stmt = (
            sa.select(environments.c.name)
            .distinct()
            .select_from(t.join(environments, environments.c.id == t.c.environment_id))
            .join(tasks, tasks.c.deployment_id == t.c.id)
            .where(t.c.release_id == release_id, tasks.c.state == TaskState.SUCCESS.value)
        )
        return list((await self.conn.execute(stmt)).scalars())

    async def previous_successful(self, project_id: int, environment: str, before_id: int) -> Deployment | None:
        stmt = (
            _select()
            .where(
                t.c.project_id == project_id,
                environments.c.name_key == environment.lower(),
                t.c.id < before_id,
                tasks.c.state == TaskState.SUCCESS.value,
            )
            .order_by(t.c.id.desc())
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        return _from_row(row) if row else None
