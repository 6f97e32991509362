"""A projects × environments grid (the dashboard's, and a project overview's own row): each cell the latest
deployment of the project there, its release, its state in words and how long ago it happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.domain.users import User
from seaway.store.dashboard import LatestDeployment
from seaway.web.access import Where, may

STATE_LABELS = {
    TaskState.QUEUED: "queued",
    TaskState.EXECUTING: "running",
    TaskState.WAITING: "waiting for approval",
    TaskState.SUCCESS: "success",
    TaskState.FAILED: "failed",
    TaskState.CANCELED: "canceled",
}


@dataclass(frozen=True)
class Cell:
    url: str
    version: str
    state: str  # the task state, for the style
    label: str  # the state in words
    age: str
    running: bool


@dataclass(frozen=True)
class GridRow:
    project: str
    url: str
    cells: tuple[Cell | None, ...]  # one per environment of the grid, None where never deployed


def age(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def cell_of(latest: LatestDeployment, now: datetime) -> Cell:
    public_id = format_id("deployment", latest.deployment_id)
    return Cell(
        url=f"/deployments/{public_id}",
        version=latest.version,
        state=latest.state.value,
        label=STATE_LABELS[latest.state],
        age=age(now - (latest.finished_at or latest.queued_at)),
        running=latest.state not in TERMINAL_TASK_STATES,
    )


def grid_rows(
    user: User,
    projects: Iterable[tuple[int, str]],
    environments: list[str],
    latest: Iterable[LatestDeployment],
    now: datetime,
) -> list[GridRow]:
    """A row per project, a cell per environment; a deployment the visitor may not see leaves its cell empty."""
    by_place = {(d.project_id, d.environment.lower()): d for d in latest}
    rows = []
    for project_id, name in projects:
        cells = []
        for environment in environments:
            found = by_place.get((project_id, environment.lower()))
            shown = found is not None and may(user, Permission.DEPLOYMENT_VIEW, Where(name, environment))
            cells.append(cell_of(found, now) if found is not None and shown else None)
        rows.append(GridRow(name, f"/projects/{format_id('project', project_id)}", tuple(cells)))
    return rows


def any_running(rows: Iterable[GridRow]) -> bool:
    return any(cell is not None and cell.running for row in rows for cell in row.cells)
