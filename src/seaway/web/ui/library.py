"""`GET /library` (library variable sets, the built-in feed's packages) and `GET /infrastructure`
(environments, lifecycles and their phases, deployment targets with their health), and the targets'
**Check health** button (`POST /infrastructure/targets/{id}/check`, `engine.target_checks.run_health_check`
as the API's check runs it).

Each section is shown to someone who may view its kind; targets are filtered by their environments, and
the button is there only for someone who may check the target (`target.edit` in each of its environments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import AuthMethod
from seaway.domain.ids import format_id, parse_id
from seaway.domain.interruptions import Channel
from seaway.domain.lifecycles import Lifecycle
from seaway.domain.permissions import Permission
from seaway.domain.targets import DeploymentTarget
from seaway.domain.users import User
from seaway.engine.target_checks import run_health_check
from seaway.errors import InvalidInput, NotFound, PermissionDenied
from seaway.web.access import Where, hidden, may, record_refusal, require
from seaway.web.clients import actor_of
from seaway.web.ui.grids import age
from seaway.web.ui.pages import (
    OUT_OF_DATE,
    error_page,
    from_this_site,
    page_nav,
    posted_form,
    render,
    signed_in_or_redirect,
    ui_of,
)

router = APIRouter(include_in_schema=False)
MASK = "********"


@dataclass(frozen=True)
class VariableSetView:
    name: str
    variables: tuple[tuple[str, str], ...]  # (name, value or the mask)


@dataclass(frozen=True)
class PackageView:
    package_id: str
    versions: tuple[str, ...]  # newest first
    latest_pushed_by: str
    latest_pushed_at: datetime


@dataclass(frozen=True)
class TargetView:
    """A target's row: the target itself, when it was last checked, and whether the visitor may check it."""

    target: DeploymentTarget
    checked: str  # how long ago it was checked, or "never"
    may_check: bool

    @property
    def id(self) -> str:
        return format_id("target", self.target.id)

    @property
    def health(self) -> str:
        return self.target.health.value


def _may_view_target(user: User, target: DeploymentTarget) -> bool:
    return any(may(user, Permission.TARGET_VIEW, Where(environment=e)) for e in target.environments)


def _may_check(user: User, target: DeploymentTarget) -> bool:
    return all(may(user, Permission.TARGET_EDIT, Where(environment=e)) for e in target.environments)


@router.get("/library")
async def library(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    user = signed_in.user
    sets: list[VariableSetView] = []
    packages: dict[str, list[tuple[str, int | None, datetime]]] = {}
    async with ui_of(request).services.store.reading() as uow:
        nav = await page_nav(uow, user, request.url.path)
        shows_sets = may(user, Permission.VARIABLE_VIEW)
        if shows_sets:
            sets = [
                VariableSetView(s.name, tuple((v.name, MASK if v.sensitive else v.value) for v in s.variables))
                for s in await uow.library_variable_sets.list()
            ]
        shows_packages = may(user, Permission.PACKAGE_VIEW)
        names: dict[int, str] = {}
        if shows_packages:
            for version in await uow.packages.list():
                pushed = (version.version, version.pushed_by, version.pushed_at)
                packages.setdefault(version.package_id, []).append(pushed)
            names = {u.id: u.label for u in await uow.users.list() if u.id is not None}
    views = []
    for package_id, versions in sorted(packages.items(), key=lambda item: item[0].lower()):
        newest = max(versions, key=lambda v: v[2])
        ordered = tuple(v for v, _, _ in sorted(versions, key=lambda v: v[2], reverse=True))
        pushed_by = names.get(newest[1], "Seaway") if newest[1] is not None else "Seaway"
        views.append(PackageView(package_id, ordered, pushed_by, newest[2]))
    return render(
        "library.html", signed_in=signed_in, nav=nav, shows_sets=shows_sets, sets=sets,
        shows_packages=shows_packages, packages=views,
    )  # fmt: skip


@router.get("/infrastructure")
async def infrastructure(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    user = signed_in.user
    services = ui_of(request).services
    lifecycles: list[Lifecycle] = []
    async with services.store.reading() as uow:
        nav = await page_nav(uow, user, request.url.path)
        listed = await uow.environments.list()
        environments = [e for e in listed if may(user, Permission.ENVIRONMENT_VIEW, Where(environment=e.name))]
        shows_lifecycles = may(user, Permission.LIFECYCLE_VIEW)
        if shows_lifecycles:
            lifecycles = await uow.lifecycles.list()
        targets = [t for t in await uow.targets.list() if _may_view_target(user, t)]
    now = services.clock.now()
    return render(
        "infrastructure.html", signed_in=signed_in, nav=nav, environments=environments,
        shows_lifecycles=shows_lifecycles, lifecycles=lifecycles,
        targets=[_target_view(user, t, now) for t in targets],
    )  # fmt: skip


def _target_view(user: User, target: DeploymentTarget, now: datetime) -> TargetView:
    checked = age(now - target.checked_at) if target.checked_at else "never"
    return TargetView(target, checked, may_check=_may_check(user, target))


@router.post("/infrastructure/targets/{target_id}/check")
@from_this_site
async def check_health(request: Request, target_id: str) -> Response:
    form = await posted_form(request)
    if isinstance(form, Response):
        return form
    user = form.signed_in.user
    if not form.csrf_ok:
        return error_page(PermissionDenied(OUT_OF_DATE))
    services = ui_of(request).services
    actor = actor_of(request, user, Channel.UI, AuthMethod.SESSION)
    try:
        async with services.store.reading() as uow:
            target = await uow.targets.get(parse_id("target", target_id))
        if not _may_view_target(user, target):
            raise hidden("target", target_id)
        for environment in target.environments:
            require(user, Permission.TARGET_EDIT, Where(environment=environment))
    except PermissionDenied as exc:
        await record_refusal(request, exc, actor)
        return error_page(exc)
    except (InvalidInput, NotFound):
        unknown = NotFound(f'Seaway has no target "{target_id}".', entity="target", id=target_id)
        return error_page(unknown, title="No such target")
    await run_health_check(services.store, services.target_probe, services.clock, target, actor=actor)
    return RedirectResponse("/infrastructure#targets", status_code=303)
