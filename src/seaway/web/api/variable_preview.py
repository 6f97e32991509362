from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from seaway.domain.permissions import Permission
from seaway.engine.deployments import project_variables
from seaway.engine.variables import preview
from seaway.errors import InvalidInput
from seaway.web.access import Where, require
from seaway.web.api.common import visible_project
from seaway.web.auth import CurrentUser
from seaway.web.deps import services_of

router = APIRouter(tags=["variables"])


@router.get("/projects/{project_ref}/variables/preview")
async def preview_variables(
    request: Request,
    project_ref: str,
    user: CurrentUser,
    environment: str = Query(..., description="Environment name"),
    step: str | None = Query(None, description="Step name (for step-scoped values)"),
) -> dict[str, Any]:
    """What each variable resolves to for this environment and step; sensitive values masked, template errors shown."""
    services = services_of(request)
    async with services.store.reading() as uow:
        project = await visible_project(uow, user, project_ref)
        require(user, Permission.VARIABLE_VIEW, Where(project=project.name))
        env = await uow.environments.find_by_name(environment)
        if env is None:
            raise InvalidInput(f'unknown environment "{environment}"', field="environment")
        chosen = None
        if step is not None:
            chosen = next((s for s in project.process if s.name.lower() == step.lower()), None)
            if chosen is None:
                raise InvalidInput(f'the process has no step "{step}"', field="step")
        variables = await project_variables(uow, project)
    rows = preview(variables, project_name=project.name, environment=env.name, step=chosen, now=services.clock.now())
    return {
        "environment": env.name,
        "step": chosen.name if chosen else None,
        "variables": [
            {"name": r.name, "value": r.value, "evaluated": r.evaluated, "error": r.error, "sensitive": r.sensitive}
            for r in rows
        ],
    }
