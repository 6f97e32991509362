"""The project pages: `/projects` (the list), and for one project its overview (`/projects/{id}`: its own
row of the dashboard grid and its releases against its environments), `/process`, `/releases` and `/yaml`
(the project as the document `seaway apply` accepts, `config/export.py`). The variables tab is
`project_variables.py`.

Signed-in, and only for a visitor who may see the project (otherwise the page of an unknown id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.config.export import project_document, to_yaml
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.domain.process import RunCondition, Step
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.store.dashboard import latest_deployments, latest_of_releases
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, may, visible
from seaway.web.sessions import SignedIn
from seaway.web.ui.deployments import DeploymentRow
from seaway.web.ui.grids import grid_rows
from seaway.web.ui.pages import entity_page, page_nav, render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

RELEASES_SHOWN = 25
TABS = (("Overview", ""), ("Process", "/process"), ("Variables", "/variables"), ("Releases", "/releases"),
        ("View as YAML", "/yaml"))  # fmt: skip


@dataclass(frozen=True)
class ReleaseRow:
    id: str
    url: str
    version: str
    created_at: datetime
    latest: dict[str, DeploymentRow]  # environment name → the latest deployment of this release there


@dataclass(frozen=True)
class ProcessStep:
    number: int
    name: str
    type: str
    enabled: bool
    required: bool
    roles: tuple[str, ...]
    only: tuple[str, ...]
    skip: tuple[str, ...]
    run_condition: str
    start: str
    package: str


@dataclass(frozen=True)
class ProjectItem:
    name: str
    url: str
    description: str
    lifecycle: str


@router.get("/projects")
async def project_list(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    user = signed_in.user
    async with ui_of(request).services.store.reading() as uow:
        summaries = await uow.projects.list_summaries()
        nav = await page_nav(uow, user, request.url.path)
    shown = visible(user, Permission.PROJECT_VIEW, summaries, lambda p: Where(project=p.name))
    items = [
        ProjectItem(p.name, f"/projects/{format_id('project', p.id)}", p.description, p.lifecycle or "Default")
        for p in shown
    ]
    return render("projects.html", signed_in=signed_in, nav=nav, projects=items)


# What one tab reads, after what every tab shows: (its unit of work, the project, the visitor, now).
TabLoad = Callable[[UnitOfWork, Project, User, datetime], Awaitable[dict[str, Any]]]


def _project_route(suffix: str, template: str, load: TabLoad) -> None:
    async def page(request: Request, project_id: str) -> Response:
        signed_in = await signed_in_or_redirect(request)
        if isinstance(signed_in, Response):
            return signed_in
        return await project_page(request, signed_in, project_id, template, load)

    router.add_api_route(f"/projects/{{project_id}}{suffix}", page, methods=["GET"], name=f"project{suffix}")


async def project_page(
    request: Request, signed_in: SignedIn, project_id: str, template: str, load: TabLoad, **context: Any
) -> Response:
    """One tab of a project's pages: `load` reads what the tab shows, after what every tab shows."""
    clock = ui_of(request).services.clock

    async def both(uow: UnitOfWork, number: int, user: User) -> dict[str, Any]:
        project = await uow.projects.get(number)
        public_id = format_id("project", project.id)
        base = f"/projects/{public_id}"
        common = {
            "project": project,
            "project_id": public_id,
            "project_url": base,
            "tabs": [(label, base + suffix) for label, suffix in TABS],
            "here": request.url.path,
            "may_create_release": may(user, Permission.RELEASE_CREATE, Where(project=project.name)),
        }
        return common | await load(uow, project, user, clock.now())

    return await entity_page(
        request, signed_in, kind="project", ref=project_id, permission=Permission.PROJECT_VIEW, load=both,
        template=template, **context,
    )  # fmt: skip


async def _environments(uow: UnitOfWork, user: User) -> list[str]:
    names = [env.name for env in await uow.environments.list()]
    return visible(user, Permission.ENVIRONMENT_VIEW, names, lambda e: Where(environment=e))


async def _overview(uow: UnitOfWork, project: Project, user: User, now: datetime) -> dict[str, Any]:
    assert project.id is not None
    shows_releases = may(user, Permission.RELEASE_VIEW, Where(project=project.name))
    releases = await uow.releases.list_for_project(project.id, limit=RELEASES_SHOWN) if shows_releases else []
    environments = await _environments(uow, user)
    latest = await latest_deployments(uow.conn, [project.id])
    return {
        "environments": environments,
        "grid": grid_rows(user, [(project.id, project.name)], environments, latest, now),
        "shows_releases": shows_releases,
        "releases": await _release_rows(uow, user, project.name, releases),
    }


async def _releases(uow: UnitOfWork, project: Project, user: User, now: datetime) -> dict[str, Any]:
    assert project.id is not None
    shows_releases = may(user, Permission.RELEASE_VIEW, Where(project=project.name))
    releases = await uow.releases.list_for_project(project.id, limit=200) if shows_releases else []
    return {
        "shows_releases": shows_releases,
        "environments": await _environments(uow, user),
        "releases": await _release_rows(uow, user, project.name, releases),
    }


def _run_condition(step: Step) -> str:
    if step.run_condition is RunCondition.VARIABLE:
        return f"when {step.condition_expression} is true"
    return {"success": "if the previous steps succeeded", "failure": "only if a previous step failed",
            "always": "always"}[step.run_condition.value]  # fmt: skip


def process_step(number: int, step: Step) -> ProcessStep:
    roles = step.properties.get("roles") or ()
    package = step.properties.get("package")
    return ProcessStep(
        number=number,
        name=step.name,
        type=step.type.value,
        enabled=step.enabled,
        required=step.required,
        roles=tuple(roles) if isinstance(roles, list | tuple) else (str(roles),),
        only=step.environments.only,
        skip=step.environments.skip,
        run_condition=_run_condition(step),
        start="with the previous step" if step.start.value == "with-previous" else "after the previous step",
        package=str(package.get("id", "")) if isinstance(package, dict) else "",
    )


async def _process(uow: UnitOfWork, project: Project, user: User, now: datetime) -> dict[str, Any]:
    return {"steps": [process_step(n, s) for n, s in enumerate(project.process, start=1)]}


async def _yaml(uow: UnitOfWork, project: Project, user: User, now: datetime) -> dict[str, Any]:
    # Sensitive values are written as references, as `seaway export` writes them.
    shows = may(user, Permission.VARIABLE_VIEW, Where(project=project.name))
    return {"shows_yaml": shows, "yaml": to_yaml({"projects": [project_document(project)]}) if shows else ""}


_project_route("", "project.html", _overview)
_project_route("/process", "project_process.html", _process)
_project_route("/releases", "project_releases.html", _releases)
_project_route("/yaml", "project_yaml.html", _yaml)


async def _release_rows(uow: UnitOfWork, user: User, project: str, releases: list[Release]) -> list[ReleaseRow]:
    """Each release with its latest deployment per environment that the visitor may see: one query for all."""
    found = await latest_of_releases(uow.conn, [r.id for r in releases if r.id is not None])
    latest: dict[int, dict[str, DeploymentRow]] = {}
    for d in found:
        if may(user, Permission.DEPLOYMENT_VIEW, Where(project, d.environment)):
            public_id = format_id("deployment", d.deployment_id)
            row = DeploymentRow(public_id, f"/deployments/{public_id}", project, d.version, d.environment,
                                d.state.value, d.queued_at)  # fmt: skip
            latest.setdefault(d.release_id, {})[d.environment] = row
    rows = []
    for release in releases:
        public_id = format_id("release", release.id)
        cells = latest.get(release.id or 0, {})
        rows.append(ReleaseRow(public_id, f"/releases/{public_id}", release.version, release.created_at, cells))
    return rows
