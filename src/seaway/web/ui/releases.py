"""`GET /releases/{id}`, `GET /releases/{id}/deploy` and `GET|POST /projects/{id}/releases/new`.

The release page shows the release's progression through its lifecycle (`progression.py`) with a Deploy
button per environment; Deploy opens the deploy page, which asks for the prompted variables and a comment
and posts to `deploy_form.py`. A new release is made by the call the API makes (`release_making.make_release`)
with the version the project's rule gives pre-filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import AuthMethod
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Channel
from seaway.domain.package_selection import package_steps
from seaway.domain.packages import BUILTIN_FEED
from seaway.domain.permissions import Permission
from seaway.domain.releases import next_version
from seaway.domain.users import User
from seaway.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SeawayError
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, deployment_target, may, record_refusal, visible
from seaway.web.api.release_making import make_release
from seaway.web.clients import actor_of
from seaway.web.sessions import SignedIn
from seaway.web.ui.change_request_cards import cards_for_deployments
from seaway.web.ui.deployments import deployment_row
from seaway.web.ui.pages import OUT_OF_DATE, entity_page, from_this_site, page_for, posted_form, signed_in_or_redirect
from seaway.web.ui.progression import latest_by_environment, progression

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class PromptField:
    name: str
    field: str  # the form field's name
    label: str
    description: str
    required: bool
    value: str


@dataclass(frozen=True)
class PackageField:
    step: str
    package_id: str
    field: str
    versions: tuple[str, ...]  # what the built-in feed holds, newest first; empty: typed in or the latest


@router.get("/releases/{release_id}")
async def release_page(request: Request, release_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await entity_page(
        request, signed_in, kind="release", ref=release_id, permission=Permission.RELEASE_VIEW,
        load=_release_view, template="release.html",
    )  # fmt: skip


async def _release_view(uow: UnitOfWork, number: int, user: User) -> dict[str, Any]:
    release = await uow.releases.get(number)
    project = await uow.projects.get(release.project_id)
    listed = visible(
        user,
        Permission.DEPLOYMENT_VIEW,
        await uow.deployments.list_for_release(number),
        lambda d: Where(project.name, d.environment),
    )
    found = await uow.tasks.get_many([d.task_id for d in listed if d.task_id is not None])
    rows = [
        (d, deployment_row(d, found[d.task_id], project.name, release.version)) for d in listed if d.task_id in found
    ]
    gated = [
        d.id
        for d, _ in rows
        if d.id is not None and may(user, Permission.INTERRUPTION_VIEW, Where(project.name, d.environment))
    ]
    cards = await cards_for_deployments(uow, user, gated)
    return {
        "release": release,
        "release_id": format_id("release", release.id),
        "project": project,
        "project_url": f"/projects/{format_id('project', project.id)}",
        "deployments": [row for _, row in reversed(rows)],
        "change_requests": [cards[number] for number in reversed(gated) if number in cards],
        "phases": await progression(uow, user, release, project, latest_by_environment(rows)),
    }


@router.get("/releases/{release_id}/deploy")
async def deploy_page(request: Request, release_id: str, environment: str = "") -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await render_deploy_page(request, signed_in, release_id, environment)


async def render_deploy_page(
    request: Request,
    signed_in: SignedIn,
    release_id: str,
    environment: str,
    *,
    status: int = 200,
    error: SeawayError | None = None,
    posted: dict[str, str] | None = None,
) -> Response:
    """The deploy form for one environment; `error` and `posted` re-show a deployment that was refused."""

    async def load(uow: UnitOfWork, number: int, user: User) -> dict[str, Any]:
        release = await uow.releases.get(number)
        project = await uow.projects.get(release.project_id)
        where = await deployment_target(uow, project.name, environment)
        shown: dict[str, PromptField] = {}
        for variable in release.variables:
            if variable.prompt is not None and variable.name.lower() not in shown:
                field = f"variable:{variable.name}"
                value = (posted or {}).get(field, variable.value)
                p = variable.prompt
                shown[variable.name.lower()] = PromptField(
                    variable.name, field, p.label, p.description, p.required, value
                )
        return {
            "release": release,
            "release_id": format_id("release", release.id),
            "project": project,
            "environment": where.environment or environment,
            "may_deploy": may(user, Permission.DEPLOYMENT_CREATE, where),
            "prompts": list(shown.values()),
        }

    field = error.field if isinstance(error, InvalidInput) else None
    return await entity_page(
        request, signed_in, kind="release", ref=release_id, permission=Permission.RELEASE_VIEW, load=load,
        template="deploy.html", status=status, error=error.message if error else None,
        error_field=(field or "").replace("variables.", "variable:"), comments=(posted or {}).get("comments", ""),
    )  # fmt: skip


@router.get("/projects/{project_id}/releases/new")
async def new_release_page(request: Request, project_id: str) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await render_new_release(request, signed_in, project_id)


async def render_new_release(
    request: Request,
    signed_in: SignedIn,
    project_id: str,
    *,
    status: int = 200,
    error: SeawayError | None = None,
    posted: dict[str, str] | None = None,
) -> Response:
    async def load(uow: UnitOfWork, number: int, user: User) -> dict[str, Any]:
        project = await uow.projects.get(number)
        packages = []
        for step, package_id, feed in package_steps(project.process):
            versions = [v.version for v in await uow.packages.versions_of(package_id)] if feed == BUILTIN_FEED else []
            packages.append(PackageField(step.name, package_id, f"package:{step.name}", tuple(reversed(versions))))
        return {
            "project": project,
            "project_id": format_id("project", project.id),
            "may_create": may(user, Permission.RELEASE_CREATE, Where(project=project.name)),
            "suggested": next_version(await uow.releases.versions(number)),
            "packages": packages,
        }

    field = getattr(error, "field", None) if error is not None else None
    return await entity_page(
        request, signed_in, kind="project", ref=project_id, permission=Permission.PROJECT_VIEW, load=load,
        template="release_new.html", status=status, error=error.message if error else None,
        error_field=field or "", posted=posted or {},
    )  # fmt: skip


@router.post("/projects/{project_id}/releases/new")
@from_this_site
async def create_release_from_form(request: Request, project_id: str) -> Response:
    form = await posted_form(request)
    if isinstance(form, Response):
        return form
    signed_in = form.signed_in
    posted = {key: form.field(key) for key in form.fields}
    if not form.csrf_ok:
        refused = PermissionDenied(OUT_OF_DATE)
        return await render_new_release(request, signed_in, project_id, status=403, error=refused, posted=posted)
    user = signed_in.user
    actor = actor_of(request, user, Channel.UI, AuthMethod.SESSION)
    requested = {key.removeprefix("package:"): value.strip() for key, value in posted.items()}
    packages = {step: version for step, version in requested.items() if f"package:{step}" in posted and version}
    try:
        release, _ = await make_release(
            request, user, project_id, version=posted.get("version", "").strip() or None,
            notes=posted.get("notes", ""), channel=None, packages=lambda _: packages, actor=actor,
        )  # fmt: skip
    except PermissionDenied as exc:
        await record_refusal(request, exc, actor)
        return await render_new_release(request, signed_in, project_id, status=403, error=exc, posted=posted)
    except (InvalidInput, Conflict, NotFound) as exc:
        status = page_for(exc).status
        return await render_new_release(request, signed_in, project_id, status=status, error=exc, posted=posted)
    public_id = format_id("release", release.id)
    return RedirectResponse(f"/releases/{public_id}", status_code=303)
