"""`GET /projects/{id}` and `GET /releases/{id}`: the pages behind `Octopus.Web.ProjectLink` and `ReleaseLink`.

Signed-in, like the deployment page, and only for a visitor who may see them (otherwise the page of an
unknown id): a project's releases against its environments, each cell the latest deployment of that release
there that the visitor may see; a release's notes, packages and deployments, and a Deploy button for each
environment the visitor may deploy it to (`deploy_form.py` takes the form).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.deployments import Deployment
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, may, visible
from seaway.web.sessions import SignedIn
from seaway.web.ui.deploy_targets import deploy_targets
from seaway.web.ui.deployments import DeploymentRow, deployment_row
from seaway.web.ui.pages import entity_page, signed_in_or_redirect

router = APIRouter(include_in_schema=False)

RELEASES_SHOWN = 25


@dataclass(frozen=True)
class ReleaseRow:
    id: str
    url: str
    version: str
    created_at: datetime
    latest: dict[str, DeploymentRow]  # environment name → the latest deployment of this release there


@router.get("/projects/{project_id}")
async def project_page(request: Request, project_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await entity_page(
        request,
        signed_in,
        kind="project",
        ref=project_id,
        permission=Permission.PROJECT_VIEW,
        load=_project_view,
        template="project.html",
    )


@router.get("/releases/{release_id}")
async def release_page(request: Request, release_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await render_release(request, signed_in, release_id)


async def render_release(
    request: Request, signed_in: SignedIn, release_id: str, *, status: int = 200, error: str | None = None
) -> Response:
    """The release page; `error` says why a deployment asked for from it was not created."""
    return await entity_page(
        request,
        signed_in,
        kind="release",
        ref=release_id,
        permission=Permission.RELEASE_VIEW,
        load=_release_view,
        template="release.html",
        status=status,
        error=error,
    )


async def _project_view(uow: UnitOfWork, number: int, user: User) -> dict[str, Any]:
    project = await uow.projects.get(number)
    shows_releases = may(user, Permission.RELEASE_VIEW, Where(project=project.name))
    releases = await uow.releases.list_for_project(number, limit=RELEASES_SHOWN) if shows_releases else []
    environments = [env.name for env in await uow.environments.list()]
    return {
        "project": project,
        "project_id": format_id("project", project.id),
        "environments": visible(user, Permission.ENVIRONMENT_VIEW, environments, lambda e: Where(environment=e)),
        "shows_releases": shows_releases,
        "releases": [await _release_row(uow, user, project.name, release) for release in releases],
    }


async def _release_view(uow: UnitOfWork, number: int, user: User) -> dict[str, Any]:
    release = await uow.releases.get(number)
    project = await uow.projects.get(release.project_id)
    deployments = reversed(await _visible_deployments(uow, user, project.name, number))
    rows = [await _row(uow, deployment, project.name, release.version) for deployment in deployments]
    return {
        "release": release,
        "release_id": format_id("release", release.id),
        "project": project,
        "project_url": f"/projects/{format_id('project', project.id)}",
        "deployments": rows,
        "targets": await deploy_targets(uow, user, release, project),
    }


async def _visible_deployments(uow: UnitOfWork, user: User, project: str, release_id: int) -> list[Deployment]:
    listed = await uow.deployments.list_for_release(release_id)
    return visible(user, Permission.DEPLOYMENT_VIEW, listed, lambda d: Where(project, d.environment))


async def _release_row(uow: UnitOfWork, user: User, project: str, release: Release) -> ReleaseRow:
    latest: dict[str, DeploymentRow] = {}
    for deployment in await _visible_deployments(uow, user, project, release.id or 0):
        # Listed oldest first: the last one of an environment wins.
        latest[deployment.environment] = await _row(uow, deployment, project, release.version)
    public_id = format_id("release", release.id)
    return ReleaseRow(public_id, f"/releases/{public_id}", release.version, release.created_at, latest)


async def _row(uow: UnitOfWork, deployment: Deployment, project: str, release: str) -> DeploymentRow:
    assert deployment.task_id is not None
    return deployment_row(deployment, await uow.tasks.get(deployment.task_id), project, release)
