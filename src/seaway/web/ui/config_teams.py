"""`/configuration/teams`: the teams with their members and scoped roles (`team.view`), and for those with
`team.edit`: create or delete a team, add or remove a member, give the team a role (optionally scoped to
environments and projects) or take one away. The same engine calls as `/api/v1/teams` (`engine.teams`),
audited alike; a refused field is named next to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import Team, TeamRole
from seaway.engine.roles import list_roles
from seaway.engine.teams import create_team, delete_team, update_team
from seaway.errors import InvalidInput, PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import may, require
from seaway.web.api.representations import team_json
from seaway.web.sessions import SignedIn
from seaway.web.ui.configuration import act, record_edit, show
from seaway.web.ui.pages import PostedForm, error_page, from_this_site, render, ui_of

router = APIRouter(include_in_schema=False)

PATH = "/configuration/teams"
NEW = "new"  # the form that creates a team, where its refused field is shown
ROLE_FIELDS = ("role", "environments", "projects")  # the form's fields, as the engine's paths end


@dataclass(frozen=True)
class RoleRow:
    role: TeamRole
    text: str  # the role with where it applies, in words


@dataclass(frozen=True)
class TeamRow:
    id: str
    name: str
    members: tuple[str, ...]
    roles: tuple[RoleRow, ...]


def _role_text(role: str, projects: tuple[str, ...], environments: tuple[str, ...]) -> str:
    where = [f"projects {', '.join(projects)}" if projects else "every project"]
    where.append(f"environments {', '.join(environments)}" if environments else "every environment")
    return f"{role} ({'; '.join(where)})"


def _row(team: Team) -> TeamRow:
    roles = tuple(RoleRow(r, _role_text(r.role, r.projects, r.environments)) for r in team.roles)
    return TeamRow(format_id("team", team.id), team.name, team.members, roles)


@router.get(PATH)
async def teams_page(request: Request) -> Response:
    return await show(request, _page)


async def _page(
    request: Request, signed_in: SignedIn, status: int, error: str | None, *, field: str | None = None
) -> Response:
    try:
        require(signed_in.user, Permission.TEAM_VIEW)
    except PermissionDenied as exc:
        return error_page(exc)
    async with ui_of(request).services.store.reading() as uow:
        teams = await uow.teams.list()
        choices = await _choices(uow)
    # A field this page has a form for (`Teams-1:role`) shows the reason next to it; any other above all.
    return render(
        "config_teams.html",
        status=status,
        signed_in=signed_in,
        teams=[_row(t) for t in teams],
        can_edit=may(signed_in.user, Permission.TEAM_EDIT),
        error=None if field and ":" in field else error,
        field_error=error if field and ":" in field else None,
        error_field=field,
        **choices,
    )


async def _choices(uow: UnitOfWork) -> dict[str, list[str]]:
    """What the role pickers offer: the roles, environments and projects that exist."""
    return {
        "role_names": [r.name for r in await list_roles(uow)],
        "environment_names": [e.name for e in await uow.environments.list()],
        "project_names": [p.name for p in await uow.projects.list_summaries()],
    }


async def _change_team(request: Request, team_id: str, change: Change) -> Response:
    """Change one team through `update_team` (or `delete_team`), audited as `team.updated` (`team.deleted`); an
    engine error about a field of
    the posted form is named as that form's field (`Teams-1:environments`)."""

    async def work(form: PostedForm, actor: Actor) -> None:
        require(actor.user, Permission.TEAM_EDIT)
        number = parse_id("team", team_id)
        services = ui_of(request).services
        async with services.store.transaction() as uow:
            before = await uow.teams.get(number)
            try:
                after = await change(uow, form, before)
            except InvalidInput as exc:
                raise _on_form(exc, team_id) from None
            await record_edit(
                uow, actor, now=services.clock.now(), kind="team", number=number, before=team_json(before),
                after=team_json(after) if after is not None else None,
            )  # fmt: skip

    return await act(request, PATH, work, _page)


def _on_form(exc: InvalidInput, form: str) -> InvalidInput:
    path = exc.field or ""
    for name in ROLE_FIELDS:
        if path == name or path.endswith(f".{name}") or f".{name}[" in path:
            return InvalidInput(exc.message, field=f"{form}:{name}")
    if path.startswith("members"):
        return InvalidInput(exc.message, field=f"{form}:username")
    return exc


class Change:
    """What one form does to a team: the team as it is then, or None once deleted."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def __call__(self, uow: UnitOfWork, form: PostedForm, team: Team) -> Team | None:
        assert team.id is not None
        if self.kind == "delete":
            await delete_team(uow, team.id)
            return None
        return await update_team(uow, team.id, await self._changed(uow, form, team))

    async def _changed(self, uow: UnitOfWork, form: PostedForm, team: Team) -> Team:
        if self.kind in ("add-member", "remove-member"):
            return await _members(uow, form, team, add=self.kind == "add-member")
        posted = TeamRole(form.field("role").strip(), form.values("environments"), form.values("projects"))
        if not posted.role:
            raise InvalidInput("choose a role", field="role")
        if self.kind == "remove-role":
            kept = tuple(r for r in team.roles if not _same(r, posted))
            if len(kept) == len(team.roles):
                raise InvalidInput(f'the team does not hold "{posted.role}" so scoped', field="role")
            return replace(team, roles=kept)
        if any(_same(r, posted) for r in team.roles):
            raise InvalidInput(f'the team already holds "{posted.role}" so scoped', field="role")
        return replace(team, roles=(*team.roles, posted))


def _same(one: TeamRole, other: TeamRole) -> bool:
    def key(role: TeamRole) -> tuple[str, frozenset[str], frozenset[str]]:
        return (
            role.role.lower(),
            frozenset(e.lower() for e in role.environments),
            frozenset(p.lower() for p in role.projects),
        )

    return key(one) == key(other)


async def _members(uow: UnitOfWork, form: PostedForm, team: Team, *, add: bool) -> Team:
    username = form.field("username").strip()
    if not username:
        raise InvalidInput("name the member", field="members")
    others = tuple(m for m in team.members if m.lower() != username.lower())
    if add:
        user = await uow.users.get_by_username(username)  # an unknown user is named as such
        others = (*others, user.username)
    return replace(team, members=others)


@router.post(PATH)
@from_this_site
async def create_team_from_form(request: Request) -> Response:
    async def work(form: PostedForm, actor: Actor) -> None:
        require(actor.user, Permission.TEAM_EDIT)
        name = form.field("name").strip()
        if not name:
            raise InvalidInput("name the team", field=f"{NEW}:name")
        services = ui_of(request).services
        async with services.store.transaction() as uow:
            created = await create_team(uow, Team(name=name))
            assert created.id is not None
            await record_edit(
                uow, actor, now=services.clock.now(), kind="team", number=created.id, before=None,
                after=team_json(created),
            )  # fmt: skip

    return await act(request, PATH, work, _page)


def _changing(change: Change) -> Callable[[Request, str], Awaitable[Response]]:
    @from_this_site
    async def handle(request: Request, team_id: str) -> Response:
        return await _change_team(request, team_id, change)

    return handle


# Each form that changes one team: its path under the team, and what it does.
for _path, _kind in (
    ("delete", "delete"),
    ("members", "add-member"),
    ("members/remove", "remove-member"),
    ("roles", "add-role"),
    ("roles/remove", "remove-role"),
):
    router.add_api_route(
        f"{PATH}/{{team_id}}/{_path}", _changing(Change(_kind)), methods=["POST"], name=_kind.replace("-", "_")
    )
