"""The per-(project, environment) deployment slot: one running deployment per project and environment, and
who goes next when it is freed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from seaway.domain.interruptions import InterruptionState
from seaway.domain.states import TaskState
from seaway.store.base import Repository
from seaway.store.change_requests import HELD_BACK as _BLOCKED
from seaway.store.dialects import insert_ignoring_conflict
from seaway.store.freezes import WAITING_TO_START
from seaway.store.tables import deployment_slots, deployments, interruptions, tasks


class DeploymentSlots(Repository):
    async def take_slot(self, task_id: int, project_id: int, environment_id: int) -> bool:
        """True when this task now holds the slot (or already did).

        On PostgreSQL the holder may release the slot between our conflicting insert and the look-up that
        follows; then we try once more. Returning False is always safe: whoever releases a slot enqueues
        the next queued task of that project and environment in the same transaction.
        """
        insert = insert_ignoring_conflict(self.conn, deployment_slots, ["project_id", "environment_id"]).values(
            project_id=project_id, environment_id=environment_id, task_id=task_id
        )
        holder_of = sa.select(deployment_slots.c.task_id).where(
            deployment_slots.c.project_id == project_id, deployment_slots.c.environment_id == environment_id
        )
        for _ in range(2):
            if (await self.conn.execute(insert)).rowcount == 1:
                return True
            holder = (await self.conn.execute(holder_of)).scalar_one_or_none()
            if holder is not None:
                return bool(holder == task_id)
        return False

    async def release_slot(self, task_id: int) -> None:
        await self.conn.execute(deployment_slots.delete().where(deployment_slots.c.task_id == task_id))

    async def next_for_slot(self, project_id: int, environment_id: int, *, exclude: int) -> int | None:
        """Who goes next when a slot is freed: the oldest waiting task of this project and environment whose
        decisions are all made (it was woken to go on but found the slot taken; it started before any queued
        one), else the oldest queued one. One statement."""
        pending = sa.select(interruptions.c.id).where(
            interruptions.c.task_id == tasks.c.id, interruptions.c.state == InterruptionState.PENDING.value
        )
        resumable = sa.and_(tasks.c.state == TaskState.WAITING.value, ~sa.exists(pending))
        queued = sa.and_(tasks.c.state == TaskState.QUEUED.value, ~_BLOCKED, ~WAITING_TO_START)
        stmt = (
            sa.select(tasks.c.id)
            .join(deployments, deployments.c.id == tasks.c.deployment_id)
            .where(
                deployments.c.project_id == project_id,
                deployments.c.environment_id == environment_id,
                tasks.c.id != exclude,
                sa.or_(queued, resumable),
            )
            .order_by(sa.case((tasks.c.state == TaskState.WAITING.value, 0), else_=1), tasks.c.id)
            .limit(1)
        )
        found: int | None = (await self.conn.execute(stmt)).scalar_one_or_none()
        return found

    async def next_queued_for_slot(self, project_id: int, environment_id: int) -> int | None:
        """The oldest queued task of the slot that no pending change request holds back."""
        stmt = _first_of_slot(project_id, environment_id, TaskState.QUEUED).where(~_BLOCKED, ~WAITING_TO_START)
        found: int | None = (await self.conn.execute(stmt)).scalar_one_or_none()
        return found


def _first_of_slot(project_id: int, environment_id: int, state: TaskState) -> Any:
    """The oldest task in `state` of one project and environment (add conditions with `.where`)."""
    return (
        sa.select(tasks.c.id)
        .join(deployments, deployments.c.id == tasks.c.deployment_id)
        .where(
            deployments.c.project_id == project_id,
            deployments.c.environment_id == environment_id,
            tasks.c.state == state.value,
        )
        .order_by(tasks.c.id)
        .limit(1)
    )
