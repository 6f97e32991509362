"""A release's progression through its lifecycle: each phase, whether the release has completed it, and
for each of its environments the latest deployment there or a Deploy button.

The button is shown only to someone who may deploy there (`deployment.create`); it is disabled, with the
lifecycle's own reason (`lifecycles.why_not_allowed`, the rule `create_deployment` enforces), while the
release may not go there yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from seaway.domain.deployments import Deployment
from seaway.domain.lifecycles import why_not_allowed
from seaway.domain.permissions import Permission
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.engine.deployments import project_lifecycle
from seaway.errors import PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, may, require
from seaway.web.ui.deployments import DeploymentRow


@dataclass(frozen=True)
class EnvironmentProgress:
    environment: str
    latest: DeploymentRow | None  # the release's latest deployment there the visitor may see
    may_deploy: bool  # the visitor may deploy there: the button is shown
    why_not: str  # why the button is disabled (the lifecycle), or why there is none (permissions); empty: go

    @property
    def ready(self) -> bool:
        return self.may_deploy and not self.why_not


@dataclass(frozen=True)
class PhaseProgress:
    name: str
    optional: bool
    complete: bool
    environments: tuple[EnvironmentProgress, ...]


async def progression(
    uow: UnitOfWork, user: User, release: Release, project: Project, latest: dict[str, DeploymentRow]
) -> list[PhaseProgress]:
    """The phases of the release's lifecycle, each with the environments the visitor may see; `latest` maps
    an environment name to the release's latest deployment there."""
    lifecycle = await project_lifecycle(uow, project, release.channel)
    assert release.id is not None
    succeeded = await uow.deployments.succeeded_environments(release.id)
    phases = []
    for phase in lifecycle.phases:
        environments = []
        for environment in phase.environments:
            where = Where(project.name, environment)
            if not may(user, Permission.ENVIRONMENT_VIEW, where):
                continue
            refusal = why_not_allowed(lifecycle, environment, succeeded)
            environments.append(_progress(user, where, environment, latest.get(environment.lower()), refusal))
        phases.append(PhaseProgress(phase.name, phase.optional, phase.is_complete(succeeded), tuple(environments)))
    return phases


def _progress(
    user: User, where: Where, environment: str, latest: DeploymentRow | None, refusal: str | None
) -> EnvironmentProgress:
    try:
        require(user, Permission.DEPLOYMENT_CREATE, where)
    except PermissionDenied as exc:
        return EnvironmentProgress(environment, latest, False, f"you may not deploy to {environment} ({exc.message})")
    return EnvironmentProgress(environment, latest, True, f"not yet: {refusal}" if refusal else "")


def latest_by_environment(rows: list[tuple[Deployment, DeploymentRow]]) -> dict[str, DeploymentRow]:
    """The last row of each environment (rows oldest first), keyed by the environment's lower-case name."""
    return {deployment.environment.lower(): row for deployment, row in rows}
