"""Seaway's browser pages: the approval-link confirmation pages, sign-in and one's own password, the
dashboard, the project, release and deployment pages, and the library and infrastructure lists.

`install(app, services)` mounts them at the site root (not under /api/v1), serves the stylesheet and
Seaway's own small scripts from the app itself (pages load no third-party asset), adds the security headers
and hides link tokens from the access log. The pages are server-rendered HTML that work without script
(the dashboard refreshes itself with `static/refresh.js`, the deployment page follows a running deployment
with `static/deployment.js`); the link and sign-in pages run no script at all. What they share is in
`pages.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from seaway.web.rate_limit import RateLimiter
from seaway.web.security_headers import SecurityHeaders
from seaway.web.sessions import PublicUrl, Sessions
from seaway.web.ui.account import router as account_router
from seaway.web.ui.approvals import router as approvals_router
from seaway.web.ui.change_requests import router as change_requests_router
from seaway.web.ui.config_api_keys import router as config_api_keys_router
from seaway.web.ui.config_audit import router as config_audit_router
from seaway.web.ui.config_audit_export import router as config_audit_export_router
from seaway.web.ui.config_freezes import router as config_freezes_router
from seaway.web.ui.config_policies import router as config_policies_router
from seaway.web.ui.config_teams import router as config_teams_router
from seaway.web.ui.config_users import router as config_users_router
from seaway.web.ui.configuration import router as configuration_router
from seaway.web.ui.dashboard import router as dashboard_router
from seaway.web.ui.decisions import router as decisions_router
from seaway.web.ui.deploy_form import router as deploy_form_router
from seaway.web.ui.deployment_actions import router as deployment_actions_router
from seaway.web.ui.deployments import router as deployments_router
from seaway.web.ui.library import router as library_router
from seaway.web.ui.link_tokens import hide_tokens_in_access_log
from seaway.web.ui.links import router as links_router
from seaway.web.ui.outbox import router as outbox_router
from seaway.web.ui.pages import Ui
from seaway.web.ui.project_variables import router as project_variables_router
from seaway.web.ui.projects import router as projects_router
from seaway.web.ui.releases import router as releases_router
from seaway.web.ui.signin import router as signin_router
from seaway.web.ui.task_list import router as task_list_router

if TYPE_CHECKING:
    from seaway.bootstrap import Services


def install(app: FastAPI, services: Services) -> None:
    settings = services.settings
    public_url = PublicUrl(settings.public_url)
    app.state.ui = Ui(
        services=services,
        public_url=public_url,
        sessions=Sessions(
            services.store,
            services.clock,
            services.store.cipher,
            public_url,
            settings.session_hours,
            idle_minutes=settings.session_idle_minutes,
        ),
        link_failures=RateLimiter(services.clock, limit=settings.link_failures_per_minute),
        signin_failures=RateLimiter(services.clock, limit=settings.signin_failures_per_minute),
    )
    app.add_middleware(SecurityHeaders)
    app.include_router(links_router)
    app.include_router(signin_router)
    app.include_router(account_router)
    app.include_router(dashboard_router)
    app.include_router(deployments_router)
    app.include_router(deployment_actions_router)
    app.include_router(decisions_router)
    app.include_router(project_variables_router)
    app.include_router(projects_router)
    app.include_router(releases_router)
    app.include_router(deploy_form_router)
    app.include_router(approvals_router)
    app.include_router(change_requests_router)
    app.include_router(task_list_router)
    app.include_router(outbox_router)
    for configuration in (
        configuration_router,
        config_users_router,
        config_teams_router,
        config_api_keys_router,
        config_audit_router,
        config_audit_export_router,
        config_policies_router,
        config_freezes_router,
    ):
        app.include_router(configuration)
    app.include_router(library_router)
    app.mount("/static", StaticFiles(packages=[("seaway.web", "static")]), name="static")
    hide_tokens_in_access_log()
