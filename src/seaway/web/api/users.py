"""Users under /api/v1: the shared CRUD endpoints (`user.view`, `user.edit`), `users/me` (oneself), and
passwords: one's own (`POST /users/me/password`) and an administrator's reset (`POST /users/{id}/password`).

Setting a password ends the user's sessions and is audited, never the password. A service account has
none: setting one is refused, naming the field.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request, Response
from pydantic import Field

from seaway.config.access_documents import parse_user
from seaway.config.reader import Node
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.passwords import change_own_password as change_own
from seaway.engine.passwords import hash_new_password, refuse_service_account
from seaway.engine.users import create_user, delete_user, reset_password, update_user
from seaway.web.access import require
from seaway.web.api import crud
from seaway.web.api.bodies import Body, UserBody
from seaway.web.api.representations import user_json
from seaway.web.auth import CurrentUser
from seaway.web.clients import api_actor
from seaway.web.deps import services_of
from seaway.web.sessions import lockout_policy

# Made before the shared endpoints are installed at the end: `users/me` must come before `users/{user_id}`.
router = crud.resource_router("users")


class OwnPasswordBody(Body):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024, description="at least 8 characters")


class PasswordResetBody(Body):
    new_password: str = Field(max_length=1024, description="at least 8 characters")


@router.get("/users/me")  # before `/users/{user_id}`, which would take "me" for an id
async def me(user: CurrentUser) -> dict[str, Any]:
    """The caller themself: any signed-in user may read their own record, with no permission."""
    return user_json(user)


@router.post("/users/me/password", status_code=204, name="change_my_password")
async def change_my_password(request: Request, body: OwnPasswordBody, user: CurrentUser) -> Response:
    """Change your own password, proving the current one; your sessions end (your API keys go on working)."""
    services = services_of(request)
    await change_own(
        services.store,
        api_actor(request, user),
        body.current_password,
        body.new_password,
        now=services.clock.now(),
        policy=lockout_policy(services.settings),
    )
    return Response(status_code=204)


@router.post("/users/{user_id}/password", status_code=204, name="reset_user_password")
async def reset_user_password(request: Request, user_id: str, body: PasswordResetBody, user: CurrentUser) -> Response:
    """Set a user's password (administrators: `user.edit`); their sessions end and any lockout is lifted."""
    require(user, Permission.USER_EDIT)
    services = services_of(request)
    number = parse_id("user", user_id, field="user_id")
    async with services.store.reading() as uow:
        refuse_service_account(await uow.users.get(number), field="new_password")
    new_hash = await hash_new_password(body.new_password, field="new_password")
    async with services.store.transaction() as uow:
        await reset_password(uow, number, new_hash, actor=api_actor(request, user), now=services.clock.now())
    return Response(status_code=204)


def _parse(body: UserBody, *, service_account: bool = False) -> User:
    """The user the body describes; `service_account`, read beside the document's user fields, is the
    default when the body leaves it out."""
    fields = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"service_account"})
    if "service_account" in body.model_fields_set:
        service_account = body.service_account
    return replace(parse_user(Node(fields, "")), service_account=service_account)


async def _create(edit: crud.Edit, body: UserBody) -> User:
    return await create_user(edit.uow, _parse(body), now=edit.now)


async def _update(edit: crud.Edit, ref: str, body: UserBody) -> User:
    number = parse_id("user", ref)
    existing = await edit.uow.users.get(number)  # a body that leaves `service_account` out keeps it
    user = _parse(body, service_account=existing.service_account)
    return await update_user(edit.uow, number, user, actor=edit.actor, now=edit.now)


async def _delete(edit: crud.Edit, ref: str) -> None:
    await delete_user(edit.uow, parse_id("user", ref), by=edit.user)


crud.install(
    router,
    crud.Resource(
        kind="user",
        body=UserBody,
        represent=user_json,
        repository=lambda uow: uow.users,
        create=_create,
        update=_update,
        delete=_delete,
    ),
)
