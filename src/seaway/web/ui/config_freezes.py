"""A freeze's page (`/configuration/freezes/<id or name>`) and the page that makes one: the freeze edited as
YAML (`config_yaml_items`), saved through `create_freeze` / `update_freeze` as `/api/v1/freezes` saves it.
Freezes are listed beside the policies (`config_policies`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from seaway.config.export import freeze_document
from seaway.config.freeze_documents import parse_freeze
from seaway.domain.freezes import Freeze
from seaway.engine.freezes import create_freeze, find_freeze, update_freeze
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.freezes import freeze_json
from seaway.web.ui.config_yaml_items import ConfigItem, Editable, Saves, install

router = APIRouter(include_in_schema=False)

EXAMPLE = """\
name: Year end
description: Nothing ships over the holidays
scope:
  environments: [Prod]
start: "2026-12-20T00:00:00Z"
end: "2027-01-03T00:00:00Z"
"""


async def _create(uow: UnitOfWork, freeze: Freeze, now: datetime) -> Freeze:
    return await create_freeze(uow, freeze)


async def _update(uow: UnitOfWork, freeze_id: int, freeze: Freeze, now: datetime) -> Freeze:
    return await update_freeze(uow, freeze_id, freeze)


async def _delete(uow: UnitOfWork, freeze_id: int, now: datetime) -> None:
    await uow.freezes.delete(freeze_id)


FREEZES: Editable[Freeze] = Editable(
    kind="freeze",
    noun="freeze",
    path="/configuration/freezes",
    example=EXAMPLE,
    config=ConfigItem(section="freezes", parse=parse_freeze, document=freeze_document),
    # A freeze's saves do not depend on the time; the API deletes one from its repository as well.
    saves=Saves(represent=freeze_json, find=find_freeze, create=_create, update=_update, delete=_delete),
)

install(router, FREEZES)
