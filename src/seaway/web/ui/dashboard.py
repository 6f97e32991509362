"""`GET /`: the dashboard. Every project the visitor may see against every environment they may see, each
cell the latest deployment there; what waits for their decision above it; a banner while emails go to the
outbox. A fixed number of queries whatever the number of projects and past deployments, and a page of at
most `PROJECTS_PER_PAGE` projects.

While something runs the page refreshes its grid itself (`/static/refresh.js` fetches the page again and
swaps the grid in; without script the page is simply static).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.store.dashboard import latest_deployments
from seaway.web.access import Where, holds_anywhere, may, visible
from seaway.web.ui.grids import GridRow, any_running, grid_rows
from seaway.web.ui.navigation import nav_for
from seaway.web.ui.pages import render, signed_in_or_redirect, ui_of
from seaway.web.ui.waiting import waiting_for_decision

router = APIRouter(include_in_schema=False)
# A page of the grid holds this many projects; the name filter and the pages reach the others.
PROJECTS_PER_PAGE = 50


@dataclass(frozen=True)
class WaitingItem:
    title: str
    url: str
    id: str


@dataclass(frozen=True)
class ProjectGroup:
    name: str
    rows: tuple[GridRow, ...]


@router.get("/")
async def dashboard(request: Request, q: str = "", page: int = 1) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    user = signed_in.user
    services = ui_of(request).services
    wanted = q.strip().lower()
    async with services.store.reading() as uow:
        waiting = await waiting_for_decision(uow, user)
        projects: list[tuple[int, str]] = []
        environments: list[str] = []
        if holds_anywhere(user, Permission.PROJECT_VIEW):
            summaries = await uow.projects.list_summaries()
            projects = [(p.id, p.name) for p in summaries if may(user, Permission.PROJECT_VIEW, Where(project=p.name))]
            names = [e.name for e in await uow.environments.list()]
            environments = visible(user, Permission.ENVIRONMENT_VIEW, names, lambda e: Where(environment=e))
        matching = [(number, name) for number, name in projects if wanted in name.lower()]
        pages = max(1, -(-len(matching) // PROJECTS_PER_PAGE))
        page = min(max(page, 1), pages)
        shown = matching[(page - 1) * PROJECTS_PER_PAGE : page * PROJECTS_PER_PAGE]
        latest = await latest_deployments(uow.conn, [number for number, _ in shown])
    rows = grid_rows(user, shown, environments, latest, services.clock.now())
    # Seaway has no project groups yet: every project is in one group.
    groups = [ProjectGroup("All projects", tuple(rows))] if rows else []
    return render(
        "dashboard.html",
        signed_in=signed_in,
        nav=nav_for(user, current="/", waiting=len(waiting)),
        waiting=[
            WaitingItem(
                i.title,
                f"/deployments/{format_id('deployment', i.deployment_id)}",
                format_id("interruption", i.id),
            )
            for i in waiting
        ],
        environments=environments,
        groups=groups,
        has_projects=bool(projects),
        q=q,
        page=page,
        per_page=PROJECTS_PER_PAGE,
        pages=pages,
        matching=len(matching),
        running=any_running(rows),
        outbox=not services.settings.smtp_host,
        may_see_outbox=may(user, Permission.OUTBOX_VIEW),
    )
