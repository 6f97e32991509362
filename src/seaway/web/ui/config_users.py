"""`/configuration/users`: the users (`user.view`), and for those with `user.edit`: create one, disable or
enable one, reset one's password. The same engine calls as `/api/v1/users` (`engine.users`), audited alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.config.access_documents import parse_user
from seaway.config.reader import Node
from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.engine.passwords import hash_new_password, refuse_service_account
from seaway.engine.users import create_user, reset_password, update_user
from seaway.errors import PermissionDenied
from seaway.security.passwords import MIN_LENGTH
from seaway.web.access import may, require
from seaway.web.api.representations import user_json
from seaway.web.sessions import SignedIn
from seaway.web.ui.configuration import act, record_edit, show
from seaway.web.ui.pages import PostedForm, error_page, from_this_site, render, ui_of

if TYPE_CHECKING:
    from seaway.bootstrap import Services

router = APIRouter(include_in_schema=False)

PATH = "/configuration/users"

# What one form does to the user numbered `number`, once the visitor may edit users.
UserEdit = Callable[["Services", PostedForm, Actor, int], Awaitable[None]]


@dataclass(frozen=True)
class UserRow:
    id: str
    username: str
    display_name: str
    email: str
    active: bool
    is_admin: bool
    service_account: bool
    is_me: bool


@router.get(PATH)
async def users_page(request: Request) -> Response:
    return await show(request, _page)


async def _page(
    request: Request, signed_in: SignedIn, status: int, error: str | None, *, field: str | None = None
) -> Response:
    del field  # the reason shows above the forms
    viewer = signed_in.user
    try:
        require(viewer, Permission.USER_VIEW)
    except PermissionDenied as exc:
        return error_page(exc)
    async with ui_of(request).services.store.reading() as uow:
        users = await uow.users.list()
    rows = [
        UserRow(
            format_id("user", u.id), u.username, u.label, u.email or "", u.active, u.is_admin, u.service_account,
            u.id == viewer.id,
        )
        for u in users
    ]  # fmt: skip
    return render(
        "config_users.html",
        status=status,
        signed_in=signed_in,
        users=rows,
        can_edit=may(viewer, Permission.USER_EDIT),
        error=error,
        min_length=MIN_LENGTH,
    )


@router.post(PATH)
@from_this_site
async def create(request: Request) -> Response:
    async def work(form: PostedForm, actor: Actor) -> None:
        require(actor.user, Permission.USER_EDIT)
        fields = {"username": form.field("username"), "display_name": form.field("display_name")}
        if form.field("email"):
            fields["email"] = form.field("email")
        user = parse_user(Node(fields, ""))
        password = form.field("password")
        new_hash = await hash_new_password(password, field="password") if password else None
        services = ui_of(request).services
        now = services.clock.now()
        async with services.store.transaction() as uow:
            created = await create_user(uow, user, now=now)
            assert created.id is not None
            await record_edit(
                uow, actor, now=now, kind="user", number=created.id, before=None, after=user_json(created)
            )
            if new_hash is not None:
                await reset_password(uow, created.id, new_hash, actor=actor, now=now)

    return await act(request, PATH, work, _page)


async def _edit_user(request: Request, user_id: str, edit: UserEdit) -> Response:
    """A form that edits the user `user_id` names (`user.edit`), then back to the users' page."""

    async def work(form: PostedForm, actor: Actor) -> None:
        require(actor.user, Permission.USER_EDIT)
        await edit(ui_of(request).services, form, actor, parse_id("user", user_id))

    return await act(request, PATH, work, _page)


@router.post(PATH + "/{user_id}/active")
@from_this_site
async def set_active(request: Request, user_id: str) -> Response:
    async def edit(services: Services, form: PostedForm, actor: Actor, number: int) -> None:
        now = services.clock.now()
        async with services.store.transaction() as uow:
            before = await uow.users.get(number)
            after = await update_user(
                uow, number, replace(before, active=form.field("active") == "true"), actor=actor, now=now
            )
            await record_edit(
                uow, actor, now=now, kind="user", number=number, before=user_json(before), after=user_json(after)
            )

    return await _edit_user(request, user_id, edit)


@router.post(PATH + "/{user_id}/password")
@from_this_site
async def set_password(request: Request, user_id: str) -> Response:
    async def edit(services: Services, form: PostedForm, actor: Actor, number: int) -> None:
        async with services.store.reading() as uow:
            refuse_service_account(await uow.users.get(number), field="new_password")
        new_hash = await hash_new_password(form.field("new_password"), field="new_password")
        async with services.store.transaction() as uow:
            await reset_password(uow, number, new_hash, actor=actor, now=services.clock.now())

    return await _edit_user(request, user_id, edit)
