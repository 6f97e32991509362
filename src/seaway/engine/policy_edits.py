"""Writing an approval policy, from the API or the UI: the write, then the pending change requests it changes
put to their approvers again (`rebind_pending`). Kept apart from `engine/policies.py`, which the change
requests themselves read policies through."""

from __future__ import annotations

from datetime import datetime

from seaway.domain.policies import ApprovalPolicy
from seaway.engine.change_requests import rebind_pending
from seaway.engine.policies import create_policy, update_policy
from seaway.store.unit_of_work import UnitOfWork


async def add_policy(uow: UnitOfWork, policy: ApprovalPolicy, now: datetime) -> ApprovalPolicy:
    created = await create_policy(uow, policy)
    await rebind_pending(uow, now)
    return created


async def change_policy(uow: UnitOfWork, policy_id: int, policy: ApprovalPolicy, now: datetime) -> ApprovalPolicy:
    updated = await update_policy(uow, policy_id, policy)
    await rebind_pending(uow, now)
    return updated


async def remove_policy(uow: UnitOfWork, policy_id: int, now: datetime) -> None:
    await uow.policies.delete(policy_id)
    await rebind_pending(uow, now)
