"""Users under /api/v1: the shared CRUD endpoints (`user.view`, `user.edit`) and `users/me` (oneself)."""

from __future__ import annotations

from typing import Any

from seaway.config.documents import parse_user
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.users import create_user, delete_user, update_user
from seaway.web.api import crud
from seaway.web.api.bodies import UserBody
from seaway.web.api.representations import user_json
from seaway.web.auth import CurrentUser

router = crud.resource_router("users")


@router.get("/users/me")  # before `/users/{user_id}`, which would take "me" for an id
async def me(user: CurrentUser) -> dict[str, Any]:
    """The caller themself: any signed-in user may read their own record, with no permission."""
    return user_json(user)


async def _create(edit: crud.Edit, body: UserBody) -> User:
    return await create_user(edit.uow, parse_user(body.node()), now=edit.now)


async def _update(edit: crud.Edit, ref: str, body: UserBody) -> User:
    return await update_user(edit.uow, parse_id("user", ref), parse_user(body.node()))


async def _delete(edit: crud.Edit, ref: str) -> None:
    await delete_user(edit.uow, parse_id("user", ref), by=edit.user)


crud.install(
    router,
    crud.Resource(
        plural="users",
        kind="user",
        id_param="user_id",
        view=Permission.USER_VIEW,
        edit=Permission.USER_EDIT,
        body=UserBody,
        represent=user_json,
        list_all=lambda uow: uow.users.list(),
        find=crud.by_id("user", lambda uow: uow.users),
        create=_create,
        update=_update,
        delete=_delete,
    ),
)
