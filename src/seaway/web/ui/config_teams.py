"""`/configuration/teams`: the teams with their members and scoped roles (`team.view`), and for those with
`team.edit`: add or remove a member. The same engine call as `PUT /api/v1/teams/{id}` (`engine.teams`),
audited alike."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import Team
from seaway.engine.teams import update_team
from seaway.errors import InvalidInput, PermissionDenied
from seaway.web.access import may, require
from seaway.web.api.representations import team_json
from seaway.web.sessions import SignedIn
from seaway.web.ui.configuration import act, record_edit
from seaway.web.ui.pages import PostedForm, error_page, from_this_site, render, signed_in_or_redirect, ui_of

router = APIRouter(include_in_schema=False)

PATH = "/configuration/teams"


@dataclass(frozen=True)
class TeamRow:
    id: str
    name: str
    members: tuple[str, ...]
    roles: tuple[str, ...]  # each role with where it applies, in words


def _role_text(role: str, projects: tuple[str, ...], environments: tuple[str, ...]) -> str:
    where = [f"projects {', '.join(projects)}" if projects else "every project"]
    where.append(f"environments {', '.join(environments)}" if environments else "every environment")
    return f"{role} ({'; '.join(where)})"


def _row(team: Team) -> TeamRow:
    roles = tuple(_role_text(r.role, r.projects, r.environments) for r in team.roles)
    return TeamRow(format_id("team", team.id), team.name, team.members, roles)


@router.get(PATH)
async def teams_page(request: Request) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await _page(request, signed_in, 200, None)


async def _page(request: Request, signed_in: SignedIn, status: int, error: str | None) -> Response:
    try:
        require(signed_in.user, Permission.TEAM_VIEW)
    except PermissionDenied as exc:
        return error_page(exc)
    async with ui_of(request).services.store.reading() as uow:
        teams = await uow.teams.list()
    return render(
        "config_teams.html",
        status=status,
        signed_in=signed_in,
        teams=[_row(t) for t in teams],
        can_edit=may(signed_in.user, Permission.TEAM_EDIT),
        error=error,
    )


async def _change_members(request: Request, team_id: str, change: str) -> Response:
    async def work(form: PostedForm, actor: Actor) -> None:
        require(actor.user, Permission.TEAM_EDIT)
        number = parse_id("team", team_id)
        username = form.field("username").strip()
        if not username:
            raise InvalidInput("name the member", field="username")
        services = ui_of(request).services
        now = services.clock.now()
        async with services.store.transaction() as uow:
            before = await uow.teams.get(number)
            others = tuple(m for m in before.members if m.lower() != username.lower())
            if change == "add":
                user = await uow.users.get_by_username(username)  # an unknown user is named as such
                others = (*others, user.username)
            after = await update_team(uow, number, replace(before, members=others))
            await record_edit(
                uow, actor, now=now, kind="team", number=number, before=team_json(before), after=team_json(after)
            )

    return await act(request, PATH, work, _page)


@router.post(PATH + "/{team_id}/members")
@from_this_site
async def add_member(request: Request, team_id: str) -> Response:
    return await _change_members(request, team_id, "add")


@router.post(PATH + "/{team_id}/members/remove")
@from_this_site
async def remove_member(request: Request, team_id: str) -> Response:
    return await _change_members(request, team_id, "remove")
