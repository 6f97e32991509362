"""Freezes: checked against what is stored, then saved; and the freeze that holds a deployment now.

The API and config-as-code apply both go through `check_freeze`, so a freeze naming a project or environment
that does not exist is refused alike, naming the field (`freezes[0].scope.environments[1]`). Changing a
freeze needs `policy.edit` (it gates deployments as a policy does), seeing one `policy.view`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from seaway.domain.change_windows import local_text
from seaway.domain.freezes import Freeze, holding
from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.scopes import scope_to_json
from seaway.engine.config_changes import Kind, Need
from seaway.engine.names import add_named, save_named
from seaway.engine.projects import looks_like_id
from seaway.engine.scope_tags import deployment_tags
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork


def freeze_view(freeze: Freeze) -> dict[str, object]:
    """The freeze as its API shows it, its audit events compare it and the export writes it."""
    return {
        "name": freeze.name,
        "description": freeze.description,
        "scope": scope_to_json(freeze),
        "start": freeze.start.isoformat(),
        "end": freeze.end.isoformat(),
    }


def freeze_needs(before: Freeze | None, after: Freeze) -> list[Need]:
    return [Need(Permission.POLICY_EDIT)]


FREEZE = Kind("freeze", "freeze", freeze_needs, freeze_view)


async def check_freeze(uow: UnitOfWork, freeze: Freeze, *, path: str = "") -> Freeze:
    """The freeze with every name as it is stored; an unknown one is refused naming its path."""
    prefix = f"{path}." if path else ""

    async def stored(names: tuple[str, ...], what: str, field: str, find: Any) -> tuple[str, ...]:
        found_names = []
        for index, name in enumerate(names):
            found = await find(name)
            if found is None:
                where = f"{prefix}{field}[{index}]"
                raise InvalidInput(f'{where}: unknown {what} "{name}"', field=where)
            found_names.append(found.name)
        return tuple(found_names)

    return replace(
        freeze,
        projects=await stored(freeze.projects, "project", "scope.projects", uow.projects.find_by_name),
        environments=await stored(
            freeze.environments, "environment", "scope.environments", uow.environments.find_by_name
        ),
    )


async def find_freeze(uow: UnitOfWork, ref: str) -> Freeze:
    """A freeze by `Freezes-3`, `3` or its name."""
    if looks_like_id("freeze", ref):
        return await uow.freezes.get(parse_id("freeze", ref))
    return await uow.freezes.get_by_name(ref)


async def create_freeze(uow: UnitOfWork, freeze: Freeze) -> Freeze:
    return await add_named(uow.freezes, await check_freeze(uow, freeze), "freeze")


async def update_freeze(uow: UnitOfWork, freeze_id: int, freeze: Freeze) -> Freeze:
    await uow.freezes.get(freeze_id)
    return await save_named(uow.freezes, freeze_id, await check_freeze(uow, freeze), "freeze")


async def freeze_in_force(uow: UnitOfWork, project: str, environment: str, now: datetime) -> Freeze | None:
    """The freeze in force now over a deployment of `project` to `environment`, overridden or not."""
    freezes = await uow.freezes.list()
    tags = await deployment_tags(uow, project, environment) if any(f.tags for f in freezes) else ((), ())
    return holding(freezes, project, environment, now, *tags)


async def freeze_holding(
    uow: UnitOfWork, deployment_id: int | None, project: str, environment: str, now: datetime
) -> Freeze | None:
    """The freeze that keeps a deployment from starting now; None when none does or it was overridden."""
    found = await freeze_in_force(uow, project, environment, now)
    if found is None or (deployment_id is not None and await uow.freezes.override_of(deployment_id) is not None):
        return None
    return found


def frozen_message(freeze: Freeze) -> str:
    return f"frozen by {freeze.name} until {local_text(freeze.end, 'UTC')}"


def preview_json(freeze: Freeze | None) -> dict[str, object] | None:
    if freeze is None:
        return None
    return {"name": freeze.name, "until": freeze.end.isoformat(), "message": frozen_message(freeze)}
