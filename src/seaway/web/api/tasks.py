from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from seaway.domain.actors import Actor
from seaway.domain.ids import MAX_ID, parse_id
from seaway.domain.permissions import Permission
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.domain.users import User
from seaway.engine.decisions import waiting_for
from seaway.engine.deployments import request_cancel
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import Store, UnitOfWork
from seaway.web.access import Scopes, Where, require, require_visible, visible_tasks
from seaway.web.api.representations import log_line_json, task_json
from seaway.web.auth import ApiKeyOrBrowserUser, AuthenticatedRead, CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

router = APIRouter(tags=["tasks"])

# How often the live log looks for new lines; lines are committed in batches about once a second.
STREAM_POLL_SECONDS = 0.25
# The most lines one request for the log answers; `seaway task log` pages through longer logs.
LOG_PAGE_LINES = 10_000
# Lines read per page while the whole log is downloaded.
RAW_PAGE_LINES = 5_000
_LEVEL_MARKERS = {"error": "!", "warning": "~"}


def text_line(at: datetime, level: str, message: str) -> str:
    """A log line as `seaway task log` prints it: the UTC time, a mark for warnings (~) and errors (!)."""
    return f"{at.astimezone(UTC):%H:%M:%S} {_LEVEL_MARKERS.get(level, ' ')} {message}"


async def visible_task(uow: UnitOfWork, user: User, task_id: str) -> tuple[int, Where]:
    """The task's number and where it runs, if `user` may see it (`task.view` there); otherwise the 404 of an
    unknown task."""
    number = parse_id("task", task_id)
    where = await Scopes(uow.conn).of_task(number)
    require_visible(user, Permission.TASK_VIEW, where, "task", number)
    return number, where


async def log_text(store: Store, number: int) -> AsyncIterator[str]:
    """The task's whole log, one line per log line as `seaway task log` prints it, a page at a time."""
    # One short read per page, never the whole log at once: a log can have millions of lines, and a
    # slow download must not hold a snapshot (or SQLite's WAL) open for its whole length.
    after = 0
    while True:
        async with store.reading() as uow:
            lines = await uow.tasks.log(number, after_id=after, limit=RAW_PAGE_LINES)
        if not lines:
            return
        after = lines[-1].id or after
        yield "".join(f"{text_line(ln.at, ln.level, ln.message)}\n" for ln in lines)


async def _task(request: Request, task_id: int) -> dict[str, Any]:
    async with services_of(request).store.reading() as uow:
        return await _task_in(uow, task_id)


async def _task_in(uow: UnitOfWork, task_id: int) -> dict[str, Any]:
    """The task with its step runs and the decisions it waits for, from one snapshot."""
    task, steps = await uow.tasks.get_with_step_runs(task_id)
    held = (await uow.freezes.hold_of(task_id)).message or None  # a change window or a freeze
    return {**task_json(task, steps, await waiting_for(uow, task_id)), "held": held}


@router.get("/tasks")
async def list_tasks(
    request: Request, user: CurrentUser, state: str | None = Query(None, description="queued, executing, …")
) -> list[dict[str, Any]]:
    """The newest tasks the caller may see (`task.view` for their project and environment)."""
    try:
        wanted = TaskState(state) if state else None
    except ValueError:
        raise InvalidInput(f'unknown task state "{state}"', field="state") from None
    async with services_of(request).store.reading() as uow:
        tasks = await visible_tasks(uow, user, Permission.TASK_VIEW, state=wanted)
        return [task_json(t, []) for t, _ in tasks]


@router.get("/tasks/{task_id}")
async def get_task(task_id: str, read: AuthenticatedRead) -> dict[str, Any]:
    number, _ = await visible_task(read.uow, read.user, task_id)
    return await _task_in(read.uow, number)


@router.get("/tasks/{task_id}/log")
async def get_log(
    request: Request,
    task_id: str,
    user: ApiKeyOrBrowserUser,
    after: int = Query(0, ge=0, le=MAX_ID, description="last line id seen"),
    before: int | None = Query(None, ge=1, le=MAX_ID, description="instead: the last lines before this line id"),
    limit: int = Query(LOG_PAGE_LINES, ge=1, le=LOG_PAGE_LINES, description="at most this many lines"),
) -> dict[str, Any]:
    """A page of the log: the lines after `after`, oldest first. Fewer than `limit` lines: the end so far.

    With `before`, the `limit` lines just before that line instead (what the deployment page's "load
    earlier lines" asks for), and `earlier`: how many lines are left before those."""
    async with services_of(request).store.reading() as uow:
        number, _ = await visible_task(uow, user, task_id)
        task = await uow.tasks.get(number)
        if before is not None:
            lines, before_count = await uow.tasks.log_tail(number, limit, before_id=before)
        else:
            lines = await uow.tasks.log(number, after_id=after, limit=limit)
    page: dict[str, Any] = {
        "task_id": task_id,
        "state": str(task.state),
        "lines": [log_line_json(ln) for ln in lines],
        "last_id": lines[-1].id if lines else after,
    }
    if before is not None:
        page["earlier"] = before_count - len(lines)
    return page


@router.get("/tasks/{task_id}/log/raw", response_class=StreamingResponse)
async def download_log(request: Request, task_id: str, user: ApiKeyOrBrowserUser) -> StreamingResponse:
    """The whole log so far as a text file, one line per log line as `seaway task log` prints it."""
    store = services_of(request).store
    async with store.reading() as uow:
        number, _ = await visible_task(uow, user, task_id)  # an unknown task is a 404, not an empty file

    return StreamingResponse(
        log_text(store, number),
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="task-{number}.log"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/tasks/{task_id}/log/stream", response_class=StreamingResponse)
async def stream_log(
    request: Request, task_id: str, user: ApiKeyOrBrowserUser, after: int = Query(0, ge=0, le=MAX_ID)
) -> StreamingResponse:
    """Server-sent events: `log` events carry one line each, `state` the task, `end` closes the stream.

    The deployment page follows it with the browser's `EventSource`, which sends the session cookie."""
    store = services_of(request).store
    async with store.reading() as uow:
        number, _ = await visible_task(uow, user, task_id)

    async def events() -> AsyncIterator[str]:
        last_id = after
        last_state = None
        while True:
            async with store.reading() as uow:
                task = await uow.tasks.get(number)
                lines = await uow.tasks.log(number, after_id=last_id)
            for line in lines:
                last_id = line.id or last_id
                yield f"id: {last_id}\nevent: log\ndata: {json.dumps(log_line_json(line))}\n\n"
            if task.state != last_state:
                last_state = task.state
                yield f"event: state\ndata: {json.dumps({'state': str(task.state), 'error': task.error})}\n\n"
            if task.state in TERMINAL_TASK_STATES and not lines:
                yield "event: end\ndata: {}\n\n"
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(STREAM_POLL_SECONDS)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


async def cancel(request: Request, user: User, task_id: str, actor: Actor | None = None) -> int:
    """Ask for the task to be canceled (`task.cancel` where it runs); its number. The actor is the API's
    caller unless given (the deployment page's)."""
    services = services_of(request)
    async with services.store.transaction() as uow:
        number, where = await visible_task(uow, user, task_id)
        require(user, Permission.TASK_CANCEL, where)
        await request_cancel(uow, number, now=services.clock.now(), actor=actor or api_actor(request, user))
        uow.after_commit(lambda: services.worker.cancel_task(number))
    return number


@router.post("/tasks/{task_id}/cancel")
async def cancel_task(request: Request, task_id: str, user: CurrentUser) -> dict[str, Any]:
    return await _task(request, await cancel(request, user, task_id))
