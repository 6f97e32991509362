"""`GET /approvals`: what waits for a person's decision, and what was decided.

Tabs *Needs approval* (pending), *Completed* and *All*, and a *Mine* filter: those I may decide now, those I
decided and those waiting on a deployment of mine. Each row links to its review panel (the gate callout on
the deployment page, or a change request's own page). Rows are `ApprovalRow`s, built by one function per kind
of approval (`interruption_rows` here, `change_request_rows.change_request_rows`), listed together.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from seaway.domain.ids import format_id
from seaway.domain.interruptions import Interruption
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.decisions import list_interruptions
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, visible
from seaway.web.ui.approval_rows import APPROVALS_LISTED, STATE_OF_TAB, TABS, ApprovalRow, Tab
from seaway.web.ui.change_request_rows import change_request_rows
from seaway.web.ui.pages import render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)


async def interruption_rows(uow: UnitOfWork, user: User, tab: Tab) -> list[ApprovalRow]:
    """The interruptions of `tab` that `user` may see, newest first."""
    listed = await list_interruptions(uow, user, state=STATE_OF_TAB[tab], limit=APPROVALS_LISTED)
    shown = visible(
        user, Permission.INTERRUPTION_VIEW, listed, lambda item: Where(item[0].project_name, item[0].environment)
    )
    names: dict[int, str] = {}
    for interruption, _ in shown:
        if interruption.decided_by is not None and interruption.decided_by not in names:
            names[interruption.decided_by] = (await uow.users.get(interruption.decided_by)).label
    return [_interruption_row(i, can, user, names) for i, can in shown]


def _interruption_row(interruption: Interruption, can_decide: bool, user: User, names: dict[int, str]) -> ApprovalRow:
    outcome = interruption.outcome
    mine = can_decide or user.id in (interruption.decided_by, interruption.requested_by)
    deployment = format_id("deployment", interruption.deployment_id)
    return ApprovalRow(
        kind="Manual intervention",
        id=format_id("interruption", interruption.id),
        title=f"{interruption.step_name}: {interruption.project_name} {interruption.release_version} to "
        f"{interruption.environment}",
        project=interruption.project_name,
        release=interruption.release_version,
        environment=interruption.environment,
        state="Needs approval" if interruption.is_pending else (outcome.value if outcome else "Ended"),
        pending=interruption.is_pending,
        can_decide=can_decide,
        mine=mine,
        requested_at=interruption.created_at,
        decided_by=names.get(interruption.decided_by) if interruption.decided_by is not None else None,
        review_url=f"/deployments/{deployment}#interruption-{interruption.id}",
    )


@router.get("/approvals")
async def approvals_page(request: Request, tab: str = Query("needs-approval"), mine: str = Query("")) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    shown_tab: Tab = next((name for name, _ in TABS if name == tab), "needs-approval")  # unknown: the first
    async with ui_of(request).services.store.reading() as uow:
        rows = await interruption_rows(uow, signed_in.user, shown_tab)
        rows += await change_request_rows(uow, signed_in.user, STATE_OF_TAB[shown_tab])
    rows.sort(key=lambda row: row.requested_at, reverse=True)
    return render(
        "approvals.html",
        signed_in=signed_in,
        rows=[row for row in rows if row.mine or not mine],
        tabs=TABS,
        tab=shown_tab,
        mine=bool(mine),
    )
