"""Lifecycles under /api/v1: the shared CRUD endpoints; a lifecycle reads as it does in the config document."""

from __future__ import annotations

from seaway.config.documents import parse_lifecycle
from seaway.domain.ids import parse_id
from seaway.domain.lifecycles import Lifecycle
from seaway.domain.permissions import Permission
from seaway.engine.lifecycles import create_lifecycle, delete_lifecycle, update_lifecycle
from seaway.web.api import crud
from seaway.web.api.bodies import LifecycleBody
from seaway.web.api.representations import lifecycle_json

router = crud.resource_router("lifecycles")


async def _create(edit: crud.Edit, body: LifecycleBody) -> Lifecycle:
    return await create_lifecycle(edit.uow, parse_lifecycle(body.node()))


async def _update(edit: crud.Edit, ref: str, body: LifecycleBody) -> Lifecycle:
    return await update_lifecycle(edit.uow, parse_id("lifecycle", ref), parse_lifecycle(body.node()))


async def _delete(edit: crud.Edit, ref: str) -> None:
    await delete_lifecycle(edit.uow, parse_id("lifecycle", ref))


crud.install(
    router,
    crud.Resource(
        plural="lifecycles",
        kind="lifecycle",
        id_param="lifecycle_id",
        view=Permission.LIFECYCLE_VIEW,
        edit=Permission.LIFECYCLE_EDIT,
        body=LifecycleBody,
        represent=lifecycle_json,
        list_all=lambda uow: uow.lifecycles.list(),
        find=crud.by_id("lifecycle", lambda uow: uow.lifecycles),
        create=_create,
        update=_update,
        delete=_delete,
    ),
)
