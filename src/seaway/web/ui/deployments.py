"""`GET /deployments/{id}`: what the emails' "View the deployment" link lands on.

Server-rendered: a deployment's state, steps, log and the decisions it waited for (with the approve/reject
form for someone who may decide, see `decisions.py`; Cancel and Retry, see `deployment_actions.py`). While
the task runs, `static/deployment.js` appends the log lines the task log's event stream sends and refreshes
the page's live parts (state, gate callouts, steps) from the page itself; without script the page is
whole, only still. It needs a signed-in
session; without one it sends the browser to sign in and come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from seaway.domain.deployments import Deployment
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Interruption, Outcome, check_may_decide
from seaway.domain.permissions import Permission
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.domain.tasks import Task
from seaway.domain.users import Team, User
from seaway.engine.freezes import freeze_in_force
from seaway.errors import PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, may, require, visible_tasks
from seaway.web.sessions import SignedIn
from seaway.web.ui.change_request_cards import cards_for_deployments
from seaway.web.ui.decision_pages import instructions_html
from seaway.web.ui.pages import entity_page, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

# The tail the page opens with; "Load earlier lines" asks the API for more, a page at a time.
LOG_LINES_SHOWN = 500


@dataclass(frozen=True)
class DeploymentRow:
    id: str
    url: str
    project: str
    release: str
    environment: str
    state: str
    queued_at: datetime


@dataclass(frozen=True)
class DeploymentActions:
    """The deployment page's buttons the viewer may use now."""

    can_cancel: bool
    can_retry: bool  # a failed deployment: deploy the same release there again
    can_override_freeze: bool = False  # a queued deployment a freeze holds, for someone with freeze.override


@dataclass(frozen=True)
class InterruptionCard:
    """One interruption on the deployment page (with the form when the viewer may decide) or the home page."""

    id: str
    number: int | None
    is_pending: bool
    can_decide: bool
    why_not: str  # why the viewer cannot decide it, shown instead of the form
    title: str
    step: str
    outcome: Outcome | None
    decided_by: str | None
    decided_at: datetime | None
    notes: str
    responsible_teams: tuple[str, ...]
    instructions_html: Markup
    deployment_url: str


@router.get("/deployments/{deployment_id}")
async def deployment_page(request: Request, deployment_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await render_deployment(request, signed_in, deployment_id)


async def render_deployment(
    request: Request, signed_in: SignedIn, deployment_id: str, *, status: int = 200, **form: Any
) -> Response:
    """The deployment page; `form` re-shows a decision that was refused (`error`, `note`, `interruption`), or
    says why another action was not done (`failed`: what was not done, and `error`)."""

    async def load(uow: UnitOfWork, number: int, viewer: User) -> dict[str, Any]:
        now = ui_of(request).services.clock.now()
        return await _deployment_view(uow, await uow.deployments.get(number), viewer, now)

    form.setdefault("error", None)
    form.setdefault("failed", "Not decided")
    form.setdefault("note", "")
    form.setdefault("interruption", None)
    return await entity_page(
        request,
        signed_in,
        kind="deployment",
        ref=deployment_id,
        permission=Permission.DEPLOYMENT_VIEW,
        load=load,
        template="deployment.html",
        status=status,
        form=form,
    )


async def visible_deployment_rows(
    uow: UnitOfWork, user: User, permission: Permission, *, state: TaskState | None = None, limit: int
) -> list[DeploymentRow]:
    """The newest deployments (in `state`) whose tasks `user` has `permission` for, as table rows."""
    rows = []
    for task, where in await visible_tasks(uow, user, permission, state=state, limit=limit):
        deployment = await uow.deployments.get(task.deployment_id)
        release = await uow.releases.get(deployment.release_id)
        rows.append(deployment_row(deployment, task, where.project or "", release.version))
    return rows


def deployment_row(deployment: Deployment, task: Task, project: str, release: str) -> DeploymentRow:
    """One line of a table of deployments, from what the page has already read."""
    public_id = format_id("deployment", deployment.id)
    return DeploymentRow(
        public_id, f"/deployments/{public_id}", project, release, deployment.environment, task.state.value,
        task.queued_at,
    )  # fmt: skip


async def _deployment_view(uow: UnitOfWork, deployment: Deployment, viewer: User, now: datetime) -> dict[str, Any]:
    assert deployment.task_id is not None and deployment.id is not None
    task = await uow.tasks.get(deployment.task_id)
    release = await uow.releases.get(deployment.release_id)
    project = await uow.projects.get(deployment.project_id)
    row = deployment_row(deployment, task, project.name, release.version)
    where = Where(project.name, deployment.environment)
    creator = await uow.users.get(deployment.created_by) if deployment.created_by is not None else None
    interruptions = []
    change_requests = {}
    if may(viewer, Permission.INTERRUPTION_VIEW, where):
        interruptions = await uow.interruptions.list(state="all", task_id=task.id)
        change_requests = await cards_for_deployments(uow, viewer, [deployment.id])
    teams = await uow.teams.list()
    deciders = {i.decided_by for i in interruptions if i.decided_by is not None}
    names = {user_id: (await uow.users.get(user_id)).label for user_id in deciders}
    log_shown = may(viewer, Permission.TASK_VIEW, where)
    lines, total_lines = await uow.tasks.log_tail(deployment.task_id, LOG_LINES_SHOWN) if log_shown else ([], 0)
    over = task.state in TERMINAL_TASK_STATES
    held = (await uow.freezes.hold_of(task.id)).message if task.state is TaskState.QUEUED else ""
    frozen = bool(held) and await freeze_in_force(uow, project.name, deployment.environment, now) is not None
    return {
        "held": held,
        "log_shown": log_shown,
        "actions": DeploymentActions(
            can_cancel=not over and not task.cancel_requested and may(viewer, Permission.TASK_CANCEL, where),
            can_retry=task.state is TaskState.FAILED and may(viewer, Permission.DEPLOYMENT_CREATE, where),
            can_override_freeze=frozen
            and not task.cancel_requested
            and await uow.freezes.override_of(deployment.id) is None
            and may(viewer, Permission.FREEZE_OVERRIDE, where),
        ),
        "log_first_id": lines[0].id if lines else 0,
        "log_last_id": lines[-1].id if lines else 0,
        "deployment": row,
        "project_url": f"/projects/{format_id('project', deployment.project_id)}",
        "release_url": f"/releases/{format_id('release', deployment.release_id)}",
        "task_id": format_id("task", task.id),
        "task": task,
        "task_over": over,
        "created_by": creator.label if creator else "Seaway",
        "created_at": deployment.created_at,
        "comments": deployment.comments,
        "steps": await uow.tasks.step_runs(task.id),
        "interruptions": [
            _interruption_view(
                i, names.get(i.decided_by or 0), _why_not(i, viewer, teams, where) if i.is_pending else None
            )
            for i in reversed(interruptions)
        ],
        "log": lines,
        "log_lines_left_out": total_lines - len(lines),
        "change_request": change_requests.get(deployment.id),
    }


def _why_not(interruption: Interruption, viewer: User, teams: list[Team], where: Where) -> str:
    """Empty when `viewer` may decide now; otherwise the reason, for the page to show instead of the form."""
    try:
        require(viewer, Permission.INTERRUPTION_SUBMIT, where)
        check_may_decide(interruption, viewer, teams, interruption.project_name)
    except PermissionDenied as exc:
        return exc.message
    return ""


def _interruption_view(
    interruption: Interruption, decided_by: str | None = None, why_not: str | None = None
) -> InterruptionCard:
    return InterruptionCard(
        id=format_id("interruption", interruption.id),
        number=interruption.id,
        is_pending=interruption.is_pending,
        can_decide=why_not == "",
        why_not=why_not or "",
        title=interruption.title,
        step=interruption.step_name,
        outcome=interruption.outcome,
        decided_by=decided_by,
        decided_at=interruption.decided_at,
        notes=interruption.notes,
        responsible_teams=interruption.responsible_teams,
        instructions_html=instructions_html(interruption.instructions),
        deployment_url=f"/deployments/{format_id('deployment', interruption.deployment_id)}",
    )
