"""`GET /tasks`: the newest tasks the visitor may see (`task.view` where each runs), all of them or those in
one state, and a *Needs approval* tab: the tasks waiting for a person's decision."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from seaway.domain.permissions import Permission
from seaway.domain.states import TaskState
from seaway.web.ui.deployments import visible_deployment_rows
from seaway.web.ui.pages import render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

TASKS_LISTED = 100
# (the `state` asked for, the tab's label); "" is every state, and a waiting task needs someone's approval.
TASK_TABS: tuple[tuple[str, str], ...] = (
    ("", "All"),
    (TaskState.WAITING.value, "Needs approval"),
    (TaskState.QUEUED.value, "Queued"),
    (TaskState.EXECUTING.value, "Running"),
    (TaskState.SUCCESS.value, "Succeeded"),
    (TaskState.FAILED.value, "Failed"),
    (TaskState.CANCELED.value, "Canceled"),
)


@router.get("/tasks")
async def tasks_page(request: Request, state: str = Query("")) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    wanted = next((TaskState(value) for value, _ in TASK_TABS if value and value == state), None)
    async with ui_of(request).services.store.reading() as uow:
        rows = await visible_deployment_rows(
            uow, signed_in.user, Permission.TASK_VIEW, state=wanted, limit=TASKS_LISTED
        )
    return render("tasks.html", signed_in=signed_in, rows=rows, tabs=TASK_TABS, state=wanted.value if wanted else "")
