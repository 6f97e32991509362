"""Approval policies under /api/v1: the shared CRUD endpoints; a policy reads as it does in the config document.

Seeing them needs `policy.view`; changing them `policy.edit`, which no project role holds, so whoever may
edit a project's process cannot also switch off the gate on its deployments.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictBool

from seaway.config.policy_documents import parse_policy
from seaway.domain.ids import format_id, parse_id
from seaway.domain.policies import ApprovalPolicy
from seaway.engine.policies import find_policy, policy_view
from seaway.engine.policy_edits import add_policy, change_policy, remove_policy
from seaway.web.api import crud
from seaway.web.api.bodies import DocumentBody, Names


class PolicyScopeBody(DocumentBody):
    projects: Names = Field(default_factory=list, description="names; empty: every project")
    environments: Names = Field(default_factory=list, description="names; empty: every environment")
    tags: Names = Field(default_factory=list, description="the project or the environment carries one; empty: any")


class ApproversBody(DocumentBody):
    teams: Names = Field(default_factory=list)
    users: Names = Field(default_factory=list, description="usernames")


class QuorumClauseBody(DocumentBody):
    team: str
    minimum: int = Field(ge=1, le=1000)


class TimeoutBody(DocumentBody):
    after: str = Field(description="how long nobody deciding may take: 30m, 24h, 2d")
    action: str = Field(description="reject | escalate")
    escalate_to: Names = Field(None, description="teams that become approvers too; only with escalate")


class RemindersBody(DocumentBody):
    every: str = Field(description="how often the approvers who have not decided are reminded: 4h")


class PolicyBody(DocumentBody):
    name: str
    description: str = ""
    scope: PolicyScopeBody = Field(default_factory=PolicyScopeBody)
    approvers: ApproversBody
    minimum: int = Field(1, description="approvals needed, each person counted once")
    block_deployment_creator: StrictBool = True
    quorum: list[QuorumClauseBody] = Field(default_factory=list, description="every clause must be met too")
    timeout: TimeoutBody | None = None
    reminders: RemindersBody | None = None
    change_windows: list[dict[str, Any]] = Field(
        default_factory=list,
        description="{days, start, end, timezone} weekly or {from, to} ISO 8601 ranges; empty: any time",
    )


def policy_json(policy: ApprovalPolicy) -> dict[str, Any]:
    return {"id": format_id("policy", policy.id), **policy_view(policy)}


def _parse(body: PolicyBody) -> ApprovalPolicy:
    return parse_policy(body.node())  # the reader checks what the model does not, naming the field


# Every write puts the pending change requests it changes to their approvers again (`engine/policy_edits.py`).
async def _create(edit: crud.Edit, body: PolicyBody) -> ApprovalPolicy:
    return await add_policy(edit.uow, _parse(body), edit.now)


async def _update(edit: crud.Edit, ref: str, body: PolicyBody) -> ApprovalPolicy:
    return await change_policy(edit.uow, parse_id("policy", ref), _parse(body), edit.now)


async def _delete(edit: crud.Edit, ref: str) -> None:
    await remove_policy(edit.uow, parse_id("policy", ref), edit.now)


router = crud.router_of(
    crud.Resource(
        kind="policy",
        plural="policies",
        body=PolicyBody,
        represent=policy_json,
        repository=lambda uow: uow.policies,
        find=find_policy,
        create=_create,
        update=_update,
        delete=_delete,
    )
)
