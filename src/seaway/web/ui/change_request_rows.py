"""The change requests of the approvals list, one row each, for those who may see them: the same rule as the
API's list (`interruption.view` where the deployment runs). Their decisions and the teams are read once for
the whole list."""

from __future__ import annotations

from seaway.domain.change_requests import format_number
from seaway.domain.interruptions import Result
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.change_requests import Progress, progress_with
from seaway.store.change_requests import StateFilter
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, visible
from seaway.web.ui.approval_rows import APPROVALS_LISTED, ApprovalRow
from seaway.web.ui.change_request_cards import progress_text


async def change_request_rows(uow: UnitOfWork, user: User, state: StateFilter) -> list[ApprovalRow]:
    """The change requests in `state` that `user` may see, newest first."""
    listed = await uow.change_requests.list(state=state, limit=APPROVALS_LISTED)
    shown = visible(user, Permission.INTERRUPTION_VIEW, listed, lambda r: Where(r.project, r.environment))
    if not shown:
        return []
    decisions = await uow.change_requests.decisions_of([r.id for r in shown if r.id is not None])
    teams = await uow.teams.list()
    return [_row(progress_with(r, decisions[r.id or 0], teams), user) for r in shown]


def _row(progress: Progress, user: User) -> ApprovalRow:
    request = progress.request
    number = format_number(request.id)
    can_decide = progress.may_decide(user)
    deciders = [d.username for d in progress.decisions]
    rejected_by = [d.username for d in progress.decisions if d.result is Result.ABORT]
    return ApprovalRow(
        kind="Change request",
        id=number,
        title=f"{number}: {request.project} {request.release_version} to {request.environment}",
        project=request.project,
        release=request.release_version,
        environment=request.environment,
        state="Needs approval" if request.is_pending else request.state.value.capitalize(),
        pending=request.is_pending,
        can_decide=can_decide,
        mine=can_decide or user.id == request.requested_by or user.id in {d.user_id for d in progress.decisions},
        requested_at=request.created_at,
        decided_by=None if request.is_pending else ", ".join(rejected_by or deciders) or None,
        review_url=f"/change-requests/{number}",
        requested_by=request.requested_by_username or "Seaway",
        progress=progress_text(progress),
    )
