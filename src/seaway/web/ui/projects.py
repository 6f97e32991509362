"""`GET /projects/{id}` and `GET /releases/{id}`: the pages behind `Octopus.Web.ProjectLink` and `ReleaseLink`.

Read-only and signed-in, like the deployment page: a project's releases against its environments, each
cell the latest deployment of that release there; a release's notes, packages and deployments.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.deployments import Deployment
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.domain.releases import Release
from seaway.store.unit_of_work import UnitOfWork
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
    return await _signed_in_page(request, "project", project_id, Permission.PROJECT_VIEW, _project_view, "project.html")


@router.get("/releases/{release_id}")
async def release_page(request: Request, release_id: str) -> Response:
    return await _signed_in_page(request, "release", release_id, Permission.RELEASE_VIEW, _release_view, "release.html")


async def _signed_in_page(
    request: Request,
    kind: str,
    ref: str,
    permission: Permission,
    load: Callable[[UnitOfWork, int], Awaitable[dict[str, Any]]],
    template: str,
) -> Response:
    """`entity_page` for a signed-in visitor; anyone else is sent to sign in first."""
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await entity_page(
        request, signed_in, kind=kind, ref=ref, permission=permission, load=load, template=template
    )


async def _project_view(uow: UnitOfWork, number: int) -> dict[str, Any]:
    project = await uow.projects.get(number)
    releases = await uow.releases.list_for_project(number, limit=RELEASES_SHOWN)
    return {
        "project": project,
        "project_id": format_id("project", project.id),
        "environments": [env.name for env in await uow.environments.list()],
        "releases": [await _release_row(uow, project.name, release) for release in releases],
    }


async def _release_view(uow: UnitOfWork, number: int) -> dict[str, Any]:
    release = await uow.releases.get(number)
    project = await uow.projects.get(release.project_id)
    deployments = reversed(await uow.deployments.list_for_release(number))
    rows = [await _row(uow, deployment, project.name, release.version) for deployment in deployments]
    return {
        "release": release,
        "release_id": format_id("release", release.id),
        "project": project,
        "project_url": f"/projects/{format_id('project', project.id)}",
        "deployments": rows,
    }


async def _release_row(uow: UnitOfWork, project: str, release: Release) -> ReleaseRow:
    latest: dict[str, DeploymentRow] = {}
    for deployment in await uow.deployments.list_for_release(release.id or 0):
        # Listed oldest first: the last one of an environment wins.
        latest[deployment.environment] = await _row(uow, deployment, project, release.version)
    public_id = format_id("release", release.id)
    return ReleaseRow(public_id, f"/releases/{public_id}", release.version, release.created_at, latest)


async def _row(uow: UnitOfWork, deployment: Deployment, project: str, release: str) -> DeploymentRow:
    assert deployment.task_id is not None
    return deployment_row(deployment, await uow.tasks.get(deployment.task_id), project, release)
