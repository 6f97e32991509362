"""Lifecycles under /api/v1: the shared CRUD endpoints; a lifecycle reads as it does in the config document."""

from __future__ import annotations

from seaway.config.documents import parse_lifecycle
from seaway.domain.permissions import Permission
from seaway.engine.lifecycles import create_lifecycle, delete_lifecycle, update_lifecycle
from seaway.web.api import crud
from seaway.web.api.bodies import LifecycleBody
from seaway.web.api.representations import lifecycle_json

router = crud.resource_router("lifecycles")


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
        create=crud.creates(create_lifecycle, crud.from_document(parse_lifecycle)),
        update=crud.updates(update_lifecycle, crud.from_document(parse_lifecycle), by=crud.number_in("lifecycle")),
        delete=crud.deletes(delete_lifecycle, by=crud.number_in("lifecycle")),
    ),
)
