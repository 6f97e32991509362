"""Octopus's untenanted deployment create (what deploy-release-action sends) and the deployments list it
reads back: the same deployment as `/api/v1` makes, once per environment, all in one transaction.

Read from the body (any case): `ProjectName` (a name or `Projects-N`), `ReleaseVersion` (the version, not an
id), `EnvironmentNames` (names in any case, or `Environments-N`), `Variables` (prompted variables by name)
and `Comments`. Left unread: `spaceId`, `spaceIdOrName`, `spaceName` (the space is the URL's),
`ForcePackageRedeployment`, `UpdateVariableSnapshot`, `ForcePackageDownload`, `SpecificMachineNames`,
`ExcludedMachineNames`, `SkipStepNames`, `UseGuidedFailure`, `RunAt`, `NoRunAfter`,
`DeploymentFreezeOverrideReason` and `DeploymentFreezeNames`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.engine.deployments import find_release
from seaway.engine.projects import looks_like_id
from seaway.errors import InvalidInput, NotFound
from seaway.store.listings import Listings
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, require_visible
from seaway.web.api.common import visible_project
from seaway.web.api.release_making import deploy_release
from seaway.web.auth import AuthenticatedRead, CurrentUser
from seaway.web.deps import services_of
from seaway.web.octopus.bodies import OctopusBody, octopus_body
from seaway.web.octopus.collections import Ids, Skip, Take, collection, newest_visible, numbers_in
from seaway.web.octopus.representations import deployment_resource
from seaway.web.octopus.space import InSpace

router = APIRouter(include_in_schema=False)
Body = Annotated[OctopusBody, Depends(octopus_body)]
MAX_COMMENTS = 10_000


async def environment_named(uow: UnitOfWork, ref: str) -> str:
    """The name of the environment `ref` names (its name in any case, or its id); an unknown one as given,
    for the deployment to refuse as /api/v1 does."""
    found = await uow.environments.find_by_name(ref)
    if found is not None:
        return found.name
    if looks_like_id("environment", ref):
        try:
            return (await uow.environments.get(parse_id("environment", ref, field="EnvironmentNames"))).name
        except NotFound:
            pass
    return ref


def _distinct(names: Sequence[str]) -> list[str]:
    """Each environment once, in the order asked for."""
    distinct: dict[str, str] = {}
    for name in names:
        distinct.setdefault(name.lower(), name)
    return list(distinct.values())


@router.post("/api/{space_id}/deployments/create/untenanted/v1")
async def create_untenanted_v1(request: Request, user: CurrentUser, space_id: InSpace, body: Body) -> dict[str, Any]:
    project_ref = body.string("ProjectName", required=True)
    version = body.string("ReleaseVersion", required=True)
    assert project_ref is not None and version is not None
    asked = body.strings("EnvironmentNames")
    if not asked:
        raise InvalidInput("EnvironmentNames must name at least one environment", field="EnvironmentNames")
    variables = body.mapping("Variables")
    comments = body.string("Comments") or ""
    if len(comments) > MAX_COMMENTS:
        raise InvalidInput(f"Comments are longer than {MAX_COMMENTS} characters", field="Comments")
    async with services_of(request).store.transaction() as uow:
        project = await visible_project(uow, user, project_ref)
        require_visible(user, Permission.RELEASE_VIEW, Where(project=project.name), "release", version)
        release = await find_release(uow, project, version)
        created = [
            await deploy_release(request, uow, user, release, project, name, variables=variables, comments=comments)
            for name in _distinct([await environment_named(uow, ref) for ref in asked])
        ]
    return {
        "DeploymentServerTasks": [
            {"DeploymentId": format_id("deployment", c.deployment.id), "ServerTaskId": format_id("task", c.task.id)}
            for c in created
        ]
    }


@router.get("/api/{space_id}/deployments")
async def list_deployments(
    read: AuthenticatedRead, space_id: InSpace, skip: Skip = 0, take: Take = 30, ids: Ids = None
) -> dict[str, Any]:
    """The deployments the caller may view (`deployment.view`), newest first; `ids` keeps those."""
    fetch = Listings(read.uow.conn).deployments
    found = await newest_visible(fetch, read.user, Permission.DEPLOYMENT_VIEW, numbers_in("deployment", ids))
    return collection("Deployment", [deployment_resource(placed) for placed in found], skip=skip, take=take)
