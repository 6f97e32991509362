"""The HTTP application: `create_app(services)` mounts the JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from seaway.bootstrap import Services
from seaway.web import errors, metrics, ui
from seaway.web.api import (
    accounts,
    agents,
    api_keys,
    audit,
    change_requests,
    config,
    deployments,
    environments,
    freezes,
    health,
    interruptions,
    lifecycles,
    outbox,
    packages,
    policies,
    projects,
    release_snapshots,
    releases,
    roles,
    targets,
    tasks,
    teams,
    users,
    variable_preview,
)
from seaway.web.octopus import deployments as octopus_deployments
from seaway.web.octopus import lookups as octopus_lookups
from seaway.web.octopus import packages as octopus_packages
from seaway.web.octopus import releases as octopus_releases
from seaway.web.octopus import root as octopus_root
from seaway.web.octopus import tasks as octopus_tasks
from seaway.web.url_guard import RefuseNulInUrl

API_PREFIX = "/api/v1"


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="Seaway",
        version="0.1.0",
        description="Deployment automation with approvals. Authenticate with `X-Seaway-ApiKey: <key>`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = services
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        health,
        config,
        environments,
        lifecycles,
        policies,
        freezes,
        projects,
        releases,
        release_snapshots,
        change_requests,  # before deployments: /deployments/preview is not a deployment's id
        deployments,
        tasks,
        teams,
        roles,
        users,
        api_keys,
        variable_preview,
        packages,
        targets,
        accounts,
        agents,
    ):
        api.include_router(module.router)
    api.include_router(interruptions.router)
    api.include_router(outbox.router)
    api.include_router(audit.router)
    app.include_router(api)
    for octopus in (octopus_packages, octopus_releases, octopus_deployments, octopus_tasks, octopus_lookups):
        app.include_router(octopus.router)
    app.include_router(octopus_root.router)  # last: `/api/{space_id}` would otherwise shadow the others
    # The browser pages (approval links, sign-in) live at the site root, outside the JSON API.
    ui.install(app, services)
    metrics.install(app, services)
    app.add_middleware(RefuseNulInUrl)
    return app
