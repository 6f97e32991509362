"""Change requests and their decisions.

Deciding starts with `lock_pending`, a no-op conditional UPDATE that holds the request's row until commit:
concurrent decisions on one request queue there (PostgreSQL row lock; SQLite serialises writers anyway),
so each one counts the approvals committed before it and exactly one of them sees the quorum met.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from seaway.domain.approval_timeouts import with_escalation
from seaway.domain.change_requests import ChangeRequest, ChangeRequestDecision, ChangeRequestState, format_number
from seaway.domain.policies import MergedPolicy, merged_from_json, merged_to_json
from seaway.errors import NotFound
from seaway.store.base import Repository, row_as, values_of
from seaway.store.dialects import insert_ignoring_conflict
from seaway.store.policy_tables import change_request_decisions as d
from seaway.store.policy_tables import change_requests as t
from seaway.store.tables import deployments, tasks, users

StateFilter = Literal["pending", "completed", "all"]
_PENDING = ChangeRequestState.PENDING.value
_COLUMNS = (*t.c, users.c.username.label("requested_by_username"))
_JOINED = t.outerjoin(users, users.c.id == t.c.requested_by)


def _from_row(row: Any) -> ChangeRequest:
    return row_as(ChangeRequest, row, policy=merged_from_json(row.policy))


def _decision(row: Any) -> ChangeRequestDecision:
    return row_as(ChangeRequestDecision, row)


# For the slot queries: the task of `tasks.id` is queued behind a change request still pending; it waits for
# approval, not for the slot.
HELD_BACK = sa.exists(sa.select(t.c.id).where(t.c.task_id == tasks.c.id, t.c.state == _PENDING))


def unknown(number: int) -> NotFound:
    """An unknown number, and one the caller may not see, alike."""
    return NotFound(f"change request {format_number(number)} does not exist", entity="change_request", id=str(number))


class ChangeRequestRepository(Repository):
    def _select(self) -> sa.Select[Any]:
        return sa.select(*_COLUMNS).select_from(_JOINED)

    async def add(self, request: ChangeRequest) -> ChangeRequest:
        values = values_of(request, t, policy=merged_to_json(request.policy))
        return replace(request, id=await self._insert(t, values))

    async def get(self, number: int) -> ChangeRequest:
        row = (await self.conn.execute(self._select().where(t.c.id == number))).first()
        if row is None:
            raise unknown(number)
        return _from_row(row)

    async def find_for_task(self, task_id: int) -> ChangeRequest | None:
        row = (await self.conn.execute(self._select().where(t.c.task_id == task_id))).first()
        return _from_row(row) if row else None

    async def find_for_deployment(self, deployment_id: int) -> ChangeRequest | None:
        row = (await self.conn.execute(self._select().where(t.c.deployment_id == deployment_id))).first()
        return _from_row(row) if row else None

    async def list(self, *, state: StateFilter = "pending", limit: int = 200) -> builtins.list[ChangeRequest]:
        stmt = self._select().order_by(t.c.id.desc()).limit(limit)
        if state == "pending":
            stmt = stmt.where(t.c.state == _PENDING)
        elif state == "completed":
            stmt = stmt.where(t.c.state != _PENDING)
        return [_from_row(r) for r in await self.conn.execute(stmt)]

    async def pending_for(self, project: str, environment: str) -> builtins.list[ChangeRequest]:
        stmt = self._select().where(t.c.state == _PENDING, t.c.project == project, t.c.environment == environment)
        return [_from_row(r) for r in await self.conn.execute(stmt.order_by(t.c.id))]

    async def lock_pending(self, number: int) -> bool:
        """Hold the request's row until commit while it is pending; False when it is no longer pending."""
        stmt = t.update().where(t.c.id == number, t.c.state == _PENDING).values(state=t.c.state)
        return bool((await self.conn.execute(stmt)).rowcount)

    async def end(self, number: int, state: ChangeRequestState, now: datetime, reason: str = "") -> bool:
        """Move a pending request to `state`; False when it was no longer pending."""
        stmt = (
            t.update()
            .where(t.c.id == number, t.c.state == _PENDING)
            .values(state=state.value, decided_at=now, reason=reason)
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def rebind(self, number: int, policy: MergedPolicy, content_hash: str, changes: Sequence[str]) -> None:
        """Put the request to its approvers again under `policy`: the decisions made so far are void, and one
        approved but not started yet is pending again."""
        await self.conn.execute(d.delete().where(d.c.change_request_id == number))
        await self.conn.execute(
            t.update()
            .where(t.c.id == number)
            .values(
                policy=merged_to_json(policy),
                content_hash=content_hash,
                changes=list(changes),
                state=_PENDING,
                decided_at=None,
            )
        )

    async def escalate(self, number: int, teams: Sequence[str]) -> None:
        """Record the approver teams a timeout added (the request's own list, with `teams` after it)."""
        request = await self.get(number)
        added = with_escalation(request.escalated_teams, teams)
        await self.conn.execute(t.update().where(t.c.id == number).values(escalated_teams=list(added)))

    async def undecided_or_unstarted(self, release_id: int) -> builtins.list[ChangeRequest]:
        """The requests of a release's deployments that are pending, or approved with the task still queued:
        those whose approvals still bind what the deployment will run."""
        approved = ChangeRequestState.APPROVED.value
        stmt = (
            self._select()
            .join(deployments, deployments.c.id == t.c.deployment_id)
            .join(tasks, tasks.c.id == t.c.task_id)
            .where(
                deployments.c.release_id == release_id,
                sa.or_(t.c.state == _PENDING, sa.and_(t.c.state == approved, tasks.c.state == "queued")),
            )
            .order_by(t.c.id)
        )
        return [_from_row(r) for r in await self.conn.execute(stmt)]

    async def cancel_for_task(self, task_id: int, now: datetime, reason: str) -> None:
        await self.conn.execute(
            t.update()
            .where(t.c.task_id == task_id, t.c.state == _PENDING)
            .values(state=ChangeRequestState.CANCELED.value, decided_at=now, reason=reason)
        )

    async def add_decision(self, decision: ChangeRequestDecision) -> bool:
        """Record one person's decision; False when they had decided this request already."""
        stmt = insert_ignoring_conflict(self.conn, d, ["change_request_id", "user_id"]).values(values_of(decision, d))
        return bool((await self.conn.execute(stmt)).rowcount)

    async def decisions(self, number: int) -> builtins.list[ChangeRequestDecision]:
        stmt = (
            sa.select(*d.c, users.c.username)
            .select_from(d.join(users, users.c.id == d.c.user_id))
            .where(d.c.change_request_id == number)
            .order_by(d.c.id)
        )
        return [_decision(r) for r in await self.conn.execute(stmt)]

    async def created_between(
        self, start: datetime | None, end: datetime | None, *, state: StateFilter = "all", limit: int = 1000
    ) -> builtins.list[ChangeRequest]:
        """The requests created at or after `start` and before `end` (None: unbounded), oldest first."""
        stmt = self._select().order_by(t.c.created_at, t.c.id).limit(limit)
        if start is not None:
            stmt = stmt.where(t.c.created_at >= start)
        if end is not None:
            stmt = stmt.where(t.c.created_at < end)
        if state == "pending":
            stmt = stmt.where(t.c.state == _PENDING)
        elif state == "completed":
            stmt = stmt.where(t.c.state != _PENDING)
        return [_from_row(r) for r in await self.conn.execute(stmt)]

    async def decisions_of(self, numbers: Sequence[int]) -> dict[int, builtins.list[ChangeRequestDecision]]:
        """The decisions of many requests at once, each request's in the order they were made."""
        found: dict[int, builtins.list[ChangeRequestDecision]] = {number: [] for number in numbers}
        listed = sorted(found)
        for start in range(0, len(listed), _IN_CHUNK):
            stmt = (
                sa.select(*d.c, users.c.username)
                .select_from(d.join(users, users.c.id == d.c.user_id))
                .where(d.c.change_request_id.in_(listed[start : start + _IN_CHUNK]))
                .order_by(d.c.id)
            )
            for row in await self.conn.execute(stmt):
                found[row.change_request_id].append(_decision(row))
        return found

    async def for_deployments(self, deployment_ids: Sequence[int]) -> dict[int, ChangeRequest]:
        """The change requests of many deployments at once, by deployment id (one without none is absent)."""
        listed = sorted(set(deployment_ids))
        found: dict[int, ChangeRequest] = {}
        for start in range(0, len(listed), _IN_CHUNK):
            stmt = self._select().where(t.c.deployment_id.in_(listed[start : start + _IN_CHUNK]))
            found.update((r.deployment_id, _from_row(r)) for r in await self.conn.execute(stmt))
        return found


_IN_CHUNK = 500  # ids per IN list, well under every database's limit on bound parameters
