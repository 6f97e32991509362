"""Lifecycles under /api/v1: the shared CRUD endpoints; a lifecycle reads as it does in the config document."""

from __future__ import annotations

from seaway.config.documents import parse_lifecycle
from seaway.engine.lifecycles import create_lifecycle, delete_lifecycle, update_lifecycle
from seaway.web.api import crud
from seaway.web.api.bodies import LifecycleBody
from seaway.web.api.representations import lifecycle_json

router = crud.router_of(
    crud.Resource(
        kind="lifecycle",
        body=LifecycleBody,
        represent=lifecycle_json,
        repository=lambda uow: uow.lifecycles,
        engine=crud.Engine(
            create_lifecycle, update_lifecycle, delete_lifecycle, ref=crud.number, reader=parse_lifecycle
        ),
    )
)
