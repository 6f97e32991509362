from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.engine.deployments import create_deployment, create_release, find_release
from seaway.web.api.bodies import Body
from seaway.web.api.common import find_project
from seaway.web.api.representations import deployment_json, release_json
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["releases"])


class ReleaseBody(Body):
    version: str | None = Field(None, max_length=100)
    notes: str = Field("", max_length=100_000)
    packages: dict[str, str] = Field(default_factory=dict)


class DeploymentBody(Body):
    environment: str = Field(max_length=200)
    variables: dict[str, str] = Field(default_factory=dict)
    comments: str = Field("", max_length=10_000)


@router.post("/projects/{project_ref}/releases", status_code=201)
async def post_release(request: Request, project_ref: str, body: ReleaseBody, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.RELEASE_CREATE, project=project_ref)
    services = services_of(request)
    async with services.store.transaction() as uow:
        project = await find_project(uow, project_ref)
        release = await create_release(
            uow,
            project,
            now=services.clock.now(),
            user=user,
            version=body.version,
            notes=body.notes,
            packages=body.packages,
        )
    return release_json(release, project)


@router.get("/projects/{project_ref}/releases")
async def list_releases(request: Request, project_ref: str, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.RELEASE_VIEW, project=project_ref)
    async with services_of(request).store.reading() as uow:
        project = await find_project(uow, project_ref)
        assert project.id is not None
        return [release_json(r, project) for r in await uow.releases.list_for_project(project.id)]


@router.get("/projects/{project_ref}/releases/{version}")
async def get_release_by_version(request: Request, project_ref: str, version: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.RELEASE_VIEW, project=project_ref)
    async with services_of(request).store.reading() as uow:
        project = await find_project(uow, project_ref)
        return release_json(await find_release(uow, project, version), project)


@router.get("/releases/{release_id}")
async def get_release(request: Request, release_id: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.RELEASE_VIEW)
    async with services_of(request).store.reading() as uow:
        release = await uow.releases.get(parse_id("release", release_id))
        project = await uow.projects.get(release.project_id)
        return release_json(release, project)


@router.get("/releases/{release_id}/deployments")
async def list_deployments(request: Request, release_id: str, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.DEPLOYMENT_VIEW)
    async with services_of(request).store.reading() as uow:
        release = await uow.releases.get(parse_id("release", release_id))
        assert release.id is not None
        return [deployment_json(d, release) for d in await uow.deployments.list_for_release(release.id)]


@router.post("/releases/{release_id}/deployments", status_code=201)
async def post_deployment(request: Request, release_id: str, body: DeploymentBody, user: CurrentUser) -> dict[str, Any]:
    services = services_of(request)
    async with services.store.transaction() as uow:
        release = await uow.releases.get(parse_id("release", release_id))
        project = await uow.projects.get(release.project_id)
        allow(user, Permission.DEPLOYMENT_CREATE, project=project.name, environment=body.environment)
        created = await create_deployment(
            uow,
            release,
            body.environment,
            now=services.clock.now(),
            user=user,
            variables=body.variables,
            comments=body.comments,
        )
    return deployment_json(created.deployment, release)
