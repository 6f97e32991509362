"""`GET /projects/{id}` and `GET /releases/{id}`: the pages behind `Octopus.Web.ProjectLink` and `ReleaseLink`.

Read-only and signed-in, like the deployment page: a project's releases against its environments, each
cell the latest deployment of that release there; a release's notes, packages and deployments.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission, authorize
from seaway.domain.releases import Release
from seaway.errors import InvalidInput, NotFound, PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.ui import message_page, render, signed_in_or_redirect, ui_of
from seaway.web.ui.deployments import DeploymentRow, deployment_row, not_found

router = APIRouter(include_in_schema=False)

RELEASES_SHOWN = 25


@dataclass(frozen=True)
class ReleaseRow:
    id: str
    url: str
    version: str
    created_at: object
    latest: dict[str, DeploymentRow]  # environment name → the latest deployment of this release there


@router.get("/projects/{project_id}")
async def project_page(request: Request, project_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    try:
        authorize(signed_in.user, Permission.PROJECT_VIEW)
        number = parse_id("project", project_id)
        async with ui_of(request).services.store.transaction() as uow:
            project = await uow.projects.get(number)
            environments = [env.name for env in await uow.environments.list()]
            releases = [
                await _release_row(uow, release)
                for release in await uow.releases.list_for_project(number, limit=RELEASES_SHOWN)
            ]
    except PermissionDenied as exc:
        return message_page("Not allowed", exc.message, status=403)
    except (InvalidInput, NotFound):
        return not_found("project", project_id)
    return render(
        "project.html",
        signed_in=signed_in,
        project=project,
        project_id=format_id("project", project.id),
        environments=environments,
        releases=releases,
    )


@router.get("/releases/{release_id}")
async def release_page(request: Request, release_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    try:
        authorize(signed_in.user, Permission.RELEASE_VIEW)
        number = parse_id("release", release_id)
        async with ui_of(request).services.store.transaction() as uow:
            release = await uow.releases.get(number)
            project = await uow.projects.get(release.project_id)
            deployments = [
                await deployment_row(uow, deployment.id or 0)
                for deployment in reversed(await uow.deployments.list_for_release(number))
            ]
    except PermissionDenied as exc:
        return message_page("Not allowed", exc.message, status=403)
    except (InvalidInput, NotFound):
        return not_found("release", release_id)
    return render(
        "release.html",
        signed_in=signed_in,
        release=release,
        release_id=format_id("release", release.id),
        project=project,
        project_url=f"/projects/{format_id('project', project.id)}",
        deployments=deployments,
    )


async def _release_row(uow: UnitOfWork, release: Release) -> ReleaseRow:
    latest: dict[str, DeploymentRow] = {}
    for deployment in await uow.deployments.list_for_release(release.id or 0):
        row = await deployment_row(uow, deployment.id or 0)
        latest[deployment.environment] = row  # listed oldest first: the last one wins
    public_id = format_id("release", release.id)
    return ReleaseRow(public_id, f"/releases/{public_id}", release.version, release.created_at, latest)
