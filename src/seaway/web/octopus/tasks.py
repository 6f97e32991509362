"""Octopus's task routes: the list its task waiter polls (`ids=`), one task, its details and raw log, and
cancel (space-scoped and not, as Octopus's clients call it). Each shows only tasks the caller may view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.domain.states import TERMINAL_STEP_STATES
from seaway.domain.system_variables import STATUS_CODES
from seaway.domain.tasks import StepRun
from seaway.domain.users import User
from seaway.store.listings import Listings, PlacedTask
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import hidden, require_visible
from seaway.web.api.tasks import LOG_PAGE_LINES, cancel, log_text, text_line
from seaway.web.auth import AuthenticatedRead, CurrentUser
from seaway.web.deps import services_of
from seaway.web.octopus.collections import Ids, Skip, Take, collection, newest_visible, numbers_in
from seaway.web.octopus.representations import server_task, when
from seaway.web.octopus.space import InSpace

router = APIRouter(include_in_schema=False)

# The status of the activity of a task's own log lines, from the task's Octopus state.
TASK_STATUS = {
    "Queued": "Pending",
    "Executing": "Running",
    "Cancelling": "Running",
    "Success": "Success",
    "Failed": "Failed",
    "Canceled": "Canceled",
}
LOG_CATEGORIES = {"info": "Info", "warning": "Warning", "error": "Error", "verbose": "Verbose"}


async def visible_placed_task(uow: UnitOfWork, user: User, task_id: str) -> PlacedTask:
    """The task, if `user` may view it (`task.view` where it runs); otherwise the 404 of an unknown task."""
    number = parse_id("task", task_id)
    found = await Listings(uow.conn).tasks(ids=[number], limit=1)
    if not found:
        raise hidden("task", number)
    require_visible(user, Permission.TASK_VIEW, found[0].placement.where, "task", number)
    return found[0]


def now_of(request: Request) -> datetime:
    return services_of(request).clock.now()


@router.get("/api/{space_id}/tasks")
async def list_tasks(
    request: Request, read: AuthenticatedRead, space_id: InSpace, skip: Skip = 0, take: Take = 30, ids: Ids = None
) -> dict[str, Any]:
    """The tasks the caller may view (`task.view`), newest first; `ids` keeps those (Octopus's task waiter
    polls `?skip=0&take=300&ids=ServerTasks-1,...`)."""
    fetch = Listings(read.uow.conn).tasks
    found = await newest_visible(fetch, read.user, Permission.TASK_VIEW, numbers_in("task", ids))
    now = now_of(request)
    return collection("Task", [server_task(placed, now) for placed in found], skip=skip, take=take)


@router.get("/api/{space_id}/tasks/{task_id}")
async def get_task_in_space(
    request: Request, read: AuthenticatedRead, space_id: InSpace, task_id: str
) -> dict[str, Any]:
    return server_task(await visible_placed_task(read.uow, read.user, task_id), now_of(request))


@router.get("/api/tasks/{task_id}")
async def get_task(request: Request, read: AuthenticatedRead, task_id: str) -> dict[str, Any]:
    return server_task(await visible_placed_task(read.uow, read.user, task_id), now_of(request))


@router.get("/api/{space_id}/tasks/{task_id}/details")
async def task_details(
    request: Request,
    read: AuthenticatedRead,
    space_id: InSpace,
    task_id: str,
    tail: int | None = Query(None, ge=1, le=LOG_PAGE_LINES, description="at most this many of the last lines"),
) -> dict[str, Any]:
    """The task, its progress, and its log by step: `ActivityLogs` has an entry per step, with its lines."""
    placed = await visible_placed_task(read.uow, read.user, task_id)
    steps = await read.uow.tasks.step_runs(placed.task.id)
    lines, total = await read.uow.tasks.log_tail(placed.task.id, tail or LOG_PAGE_LINES)
    done = sum(1 for step in steps if step.state in TERMINAL_STEP_STATES)
    task = server_task(placed, now_of(request))
    return {
        "Task": task,
        "Progress": {
            "ProgressPercentage": round(100 * done / len(steps)) if steps else (100 if task["IsCompleted"] else 0),
            "EstimatedTimeRemaining": "",
        },
        "PhysicalLogSize": sum(len(text_line(ln.at, ln.level, ln.message).encode()) + 1 for ln in lines),
        "LogLinesShown": len(lines),
        "LogLinesTotal": total,
        "ActivityLogs": activity_logs(task, steps, lines),
    }


def activity_logs(task: dict[str, Any], steps: list[StepRun], lines: list[LogLine]) -> list[dict[str, Any]]:
    task_id = task["Id"]
    by_step: dict[int | None, list[LogLine]] = {}
    for line in lines:
        by_step.setdefault(line.step_index, []).append(line)
    logs = [
        _activity(
            f"{task_id}_step{step.index + 1}",
            f"Step {step.index + 1}: {step.name}",
            STATUS_CODES[step.state],
            by_step.get(step.index, []),
        )
        | {"Started": when(step.started_at), "Ended": when(step.finished_at)}
        for step in steps
    ]
    # Lines of no step (the task's own: queued, waiting for the slot, the outcome) come first.
    unplaced = [line for index, found in by_step.items() if index not in {s.index for s in steps} for line in found]
    if unplaced:
        logs.insert(0, _activity(task_id, task["Description"], TASK_STATUS[task["State"]], unplaced))
    return logs


def _activity(ident: str, name: str, status: str, lines: list[LogLine]) -> dict[str, Any]:
    return {
        "Id": ident,
        "Name": name,
        "Started": when(lines[0].at) if lines else None,
        "Ended": when(lines[-1].at) if lines else None,
        "Status": status,
        "Children": [],
        "ShowAtSummaryLevel": True,
        "LogElements": [
            {
                "Category": LOG_CATEGORIES.get(line.level, "Info"),
                "OccurredAt": when(line.at),
                "MessageText": line.message,
                "Detail": None,
            }
            for line in lines
        ],
        "ProgressPercentage": 0 if status in ("Pending", "Running") else 100,
        "ProgressMessage": "",
    }


@router.get("/api/{space_id}/tasks/{task_id}/raw", response_class=StreamingResponse)
async def raw_log(request: Request, user: CurrentUser, space_id: InSpace, task_id: str) -> StreamingResponse:
    """The whole log as text, one line per log line as `seaway task log` prints it."""
    store = services_of(request).store
    async with store.reading() as uow:
        placed = await visible_placed_task(uow, user, task_id)
    return StreamingResponse(log_text(store, placed.task.id), media_type="text/plain; charset=utf-8")


@router.post("/api/{space_id}/tasks/{task_id}/cancel")
async def cancel_task_in_space(request: Request, user: CurrentUser, space_id: InSpace, task_id: str) -> dict[str, Any]:
    return await cancel_task(request, user, task_id)


@router.post("/api/tasks/{task_id}/cancel")
async def cancel_task(request: Request, user: CurrentUser, task_id: str) -> dict[str, Any]:
    """Ask the task to cancel, as `/api/v1` does (`task.cancel`); the task as it is then. Octopus's task
    waiter sends this, without a space, when it gives up waiting."""
    number = await cancel(request, user, task_id)
    async with services_of(request).store.reading() as uow:
        return server_task(await visible_placed_task(uow, user, format_id("task", number)), now_of(request))
