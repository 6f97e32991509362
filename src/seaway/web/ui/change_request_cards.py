"""A change request as the deployment and release pages show it: its state, how far its quorum is, a link to
its page, and the Approve / Reject form for someone who may decide it now (`change_requests.py` takes the
form). Many deployments' requests are read at once (`cards_for_deployments`): a page's statement count does
not grow with its deployments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seaway.domain.change_requests import format_number
from seaway.domain.users import User
from seaway.engine.change_requests import Progress, progress_with
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ChangeRequestCard:
    id: str  # SEA-n
    url: str
    environment: str
    state: str
    is_pending: bool
    progress: str  # "1 of 2 approvals"
    clauses: tuple[str, ...]  # each quorum clause: "0 of 1 from Security"
    blocked: str | None  # what the deployment waits for, while it waits
    reason: str  # why it was rejected or canceled
    can_decide: bool
    why_not: str  # why the viewer cannot decide it, while it is pending


def progress_text(progress: Progress) -> str:
    return f"{progress.tally.have} of {progress.tally.needed} approvals"


def why_not(progress: Progress, user: User) -> str:
    """Empty when `user` may decide now; otherwise why not, in words for them."""
    if progress.may_decide(user) or not progress.request.is_pending:
        return ""
    name = user.username.lower()
    if any(d.user_id == user.id for d in progress.decisions):
        return "you have decided it already"
    if name not in progress.approvers or not user.active:
        return "you are not an approver its policies name"
    if name not in progress.eligible:
        return "you created this deployment and its policy blocks the creator from deciding"
    return "it is not yours to decide"


def card_of(progress: Progress, user: User) -> ChangeRequestCard:
    request = progress.request
    number = format_number(request.id)
    return ChangeRequestCard(
        id=number,
        url=f"/change-requests/{number}",
        environment=request.environment,
        state=request.state.value,
        is_pending=request.is_pending,
        progress=progress_text(progress),
        clauses=tuple(f"{c.have} of {c.needed} from {c.team}" for c in progress.tally.clauses),
        blocked=progress.blocked,
        reason=request.reason,
        can_decide=progress.may_decide(user),
        why_not=why_not(progress, user),
    )


async def cards_for_deployments(
    uow: UnitOfWork, user: User, deployment_ids: Sequence[int]
) -> dict[int, ChangeRequestCard]:
    """The cards of the change requests of `deployment_ids` (the caller keeps to what `user` may see), by
    deployment id; a deployment no policy gated has none."""
    found = await uow.change_requests.for_deployments(deployment_ids)
    if not found:
        return {}
    decisions = await uow.change_requests.decisions_of([r.id for r in found.values() if r.id is not None])
    teams = await uow.teams.list()
    return {
        deployment_id: card_of(progress_with(request, decisions[request.id or 0], teams), user)
        for deployment_id, request in found.items()
    }
