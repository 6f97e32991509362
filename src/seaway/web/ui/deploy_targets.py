"""What the release page offers to deploy: each environment of the project's lifecycle, with a Deploy button
for the visitor only where they may deploy (`deployment.create` for the project there) and the lifecycle
lets the release go now; elsewhere the environment is listed with the reason instead."""

from __future__ import annotations

from dataclasses import dataclass

from seaway.domain.lifecycles import why_not_allowed
from seaway.domain.permissions import Permission
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.engine.deployments import project_lifecycle
from seaway.errors import PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, may, require


@dataclass(frozen=True)
class DeployTarget:
    environment: str
    may_deploy: bool
    why_not: str  # shown instead of the button; empty when the button is shown


async def deploy_targets(uow: UnitOfWork, user: User, release: Release, project: Project) -> list[DeployTarget]:
    """The lifecycle's environments the visitor may see, in phase order."""
    lifecycle = await project_lifecycle(uow, project)
    assert release.id is not None
    succeeded = await uow.deployments.succeeded_environments(release.id)
    targets = []
    for phase in lifecycle.phases:
        for environment in phase.environments:
            where = Where(project.name, environment)
            if not may(user, Permission.ENVIRONMENT_VIEW, where):
                continue
            targets.append(_target(user, where, environment, why_not_allowed(lifecycle, environment, succeeded)))
    return targets


def _target(user: User, where: Where, environment: str, lifecycle_refusal: str | None) -> DeployTarget:
    try:
        require(user, Permission.DEPLOYMENT_CREATE, where)
    except PermissionDenied as exc:
        return DeployTarget(environment, False, f"you may not deploy to {environment} ({exc.message})")
    if lifecycle_refusal is not None:
        return DeployTarget(environment, False, f"not yet: {lifecycle_refusal}")
    return DeployTarget(environment, True, "")
