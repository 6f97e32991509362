"""Creating a release and deploying one, as every route that does either does it: `/api/v1` and Octopus's
own routes alike, with the same checks, the same engine calls and the same audit events."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import Request

from seaway.domain.actors import Actor
from seaway.domain.permissions import Permission
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.engine.deployments import DeploymentCreated, create_deployment
from seaway.engine.releases import create_release
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, deployment_target, require
from seaway.web.api.common import visible_project
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

# The versions asked for, keyed by step name or package id, worked out from the project as it is read.
PackagesOf = Callable[[Project], Mapping[str, str]]


async def _project_to_release(uow: UnitOfWork, user: User, project_ref: str) -> Project:
    project = await visible_project(uow, user, project_ref)
    require(user, Permission.RELEASE_CREATE, Where(project=project.name))
    return project


async def _existing(uow: UnitOfWork, user: User, project: Project, version: str | None) -> Release | None:
    assert project.id is not None
    found = await uow.releases.find_by_version(project.id, version) if version else None
    if found is not None:
        require(user, Permission.RELEASE_VIEW, Where(project=project.name))
    return found


async def make_release(
    request: Request,
    user: User,
    project_ref: str,
    *,
    version: str | None,
    notes: str,
    channel: str | None,
    packages: PackagesOf,
    existing_ok: bool = False,
    actor: Actor | None = None,
) -> tuple[Release, Project]:
    """Create a release of the project `project_ref` names (`release.create` there).

    `existing_ok`: a release of that version already there is returned instead of refused (Conflict).
    `actor`: who asks, when not an API caller (the pages' `ui` channel)."""
    services = services_of(request)
    async with services.store.reading() as uow:
        project = await _project_to_release(uow, user, project_ref)
        if existing_ok and (found := await _existing(uow, user, project, version)) is not None:
            return found, project
    # External feeds are asked (and their chosen files fetched) before the transaction, never inside it.
    external = await services.package_sources.external_candidates(project, channel, packages(project))
    async with services.store.transaction() as uow:
        project = await _project_to_release(uow, user, project_ref)
        if existing_ok and (found := await _existing(uow, user, project, version)) is not None:
            return found, project
        release = await create_release(
            uow,
            project,
            now=services.clock.now(),
            user=user,
            version=version,
            notes=notes,
            packages=packages(project),
            channel=channel,
            external=external,
            actor=actor or api_actor(request, user),
        )
    return release, project


async def deploy_release(
    request: Request,
    uow: UnitOfWork,
    user: User,
    release: Release,
    project: Project,
    environment: str,
    *,
    variables: Mapping[str, str],
    comments: str,
) -> DeploymentCreated:
    """Deploy the release to the environment named `environment`, in the caller's transaction:
    `deployment.create` for its project and that environment."""
    require(user, Permission.DEPLOYMENT_CREATE, await deployment_target(uow, project.name, environment))
    return await create_deployment(
        uow,
        release,
        environment,
        now=services_of(request).clock.now(),
        user=user,
        variables=variables,
        comments=comments,
        actor=api_actor(request, user),
    )
