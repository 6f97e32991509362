"""A project's releases, and deployments of a release: who may see and create them, checked by their names."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.engine.deployments import find_release
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, require, require_visible, visible
from seaway.web.api.bodies import Body
from seaway.web.api.common import visible_project
from seaway.web.api.release_making import deploy_release, make_release
from seaway.web.api.representations import deployment_json, release_json
from seaway.web.auth import CurrentUser
from seaway.web.deps import services_of

router = APIRouter(tags=["releases"])


class ReleaseBody(Body):
    version: str | None = Field(None, max_length=100)
    notes: str = Field("", max_length=100_000)
    packages: dict[str, str] = Field(
        default_factory=dict, description="step name or package id → version; the rest take the latest allowed"
    )
    channel: str | None = Field(None, max_length=200, description="left out: the project's default channel")


class DeploymentBody(Body):
    environment: str = Field(max_length=200)
    variables: dict[str, str] = Field(default_factory=dict)
    comments: str = Field("", max_length=10_000)


async def visible_release(uow: UnitOfWork, user: User, release_id: str) -> tuple[Release, Project]:
    """The release and its project, if `user` may see the release; an unknown one and a hidden one alike
    are a NotFound."""
    number = parse_id("release", release_id)
    release = await uow.releases.get(number)
    project = await uow.projects.get(release.project_id)
    require_visible(user, Permission.RELEASE_VIEW, Where(project=project.name), "release", number)
    return release, project


async def _releases_of(uow: UnitOfWork, user: User, project_ref: str) -> Project:
    project = await visible_project(uow, user, project_ref)
    require(user, Permission.RELEASE_VIEW, Where(project=project.name))
    return project


@router.post("/projects/{project_ref}/releases", status_code=201)
async def post_release(request: Request, project_ref: str, body: ReleaseBody, user: CurrentUser) -> dict[str, Any]:
    release, project = await make_release(
        request,
        user,
        project_ref,
        version=body.version,
        notes=body.notes,
        channel=body.channel,
        packages=lambda _: body.packages,
    )
    return release_json(release, project)


@router.get("/projects/{project_ref}/releases")
async def list_releases(request: Request, project_ref: str, user: CurrentUser) -> list[dict[str, Any]]:
    async with services_of(request).store.reading() as uow:
        project = await _releases_of(uow, user, project_ref)
        assert project.id is not None
        return [release_json(r, project) for r in await uow.releases.list_for_project(project.id)]


@router.get("/projects/{project_ref}/releases/{version}")
async def get_release_by_version(request: Request, project_ref: str, version: str, user: CurrentUser) -> dict[str, Any]:
    async with services_of(request).store.reading() as uow:
        project = await _releases_of(uow, user, project_ref)
        return release_json(await find_release(uow, project, version), project)


@router.get("/releases/{release_id}")
async def get_release(request: Request, release_id: str, user: CurrentUser) -> dict[str, Any]:
    async with services_of(request).store.reading() as uow:
        release, project = await visible_release(uow, user, release_id)
        return release_json(release, project)


@router.get("/releases/{release_id}/deployments")
async def list_deployments(request: Request, release_id: str, user: CurrentUser) -> list[dict[str, Any]]:
    """The release's deployments to the environments the caller may see deployments of."""
    async with services_of(request).store.reading() as uow:
        release, project = await visible_release(uow, user, release_id)
        assert release.id is not None
        deployments = visible(
            user,
            Permission.DEPLOYMENT_VIEW,
            await uow.deployments.list_for_release(release.id),
            lambda d: Where(project.name, d.environment),
        )
        return [deployment_json(d, release) for d in deployments]


@router.post("/releases/{release_id}/deployments", status_code=201)
async def post_deployment(request: Request, release_id: str, body: DeploymentBody, user: CurrentUser) -> dict[str, Any]:
    """Deploy the release: `deployment.create` for its project and the target environment."""
    async with services_of(request).store.transaction() as uow:
        release, project = await visible_release(uow, user, release_id)
        created = await deploy_release(
            request, uow, user, release, project, body.environment, variables=body.variables, comments=body.comments
        )
    return deployment_json(created.deployment, release)
