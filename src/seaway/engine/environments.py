"""Environments: create, rename or reorder, delete; names unique, orders within what the store keeps."""

from __future__ import annotations

from seaway.domain.environments import Environment, validate_name
from seaway.domain.ids import MAX_ID
from seaway.domain.tags import validate_tags
from seaway.engine.names import refuse_name_clash
from seaway.store.unit_of_work import UnitOfWork


async def create_environment(
    uow: UnitOfWork, name: str, description: str, sort_order: int | None, tags: list[str] | None = None
) -> Environment:
    """A new environment; without an order it goes after the last one."""
    validate_name(name)
    checked_tags = validate_tags(tags or [])
    refuse_name_clash(await uow.environments.find_by_name(name), None, f'an environment named "{name}"')
    if sort_order is None:
        # An environment already at the largest order shares it (ties sort by name).
        sort_order = min(max((e.sort_order for e in await uow.environments.list()), default=-1) + 1, MAX_ID)
    return await uow.environments.add(Environment(name, sort_order, description, tags=checked_tags))


async def update_environment(
    uow: UnitOfWork,
    environment_id: int,
    name: str,
    description: str,
    sort_order: int | None,
    tags: list[str] | None = None,
) -> Environment:
    """Rename, describe or move an environment; without an order it keeps its place, without tags its tags."""
    validate_name(name)
    existing = await uow.environments.get(environment_id)
    kept_tags = existing.tags if tags is None else validate_tags(tags)
    refuse_name_clash(await uow.environments.find_by_name(name), existing.id, f'an environment named "{name}"')
    order = existing.sort_order if sort_order is None else sort_order
    return await uow.environments.save(Environment(name, order, description, existing.id, kept_tags))


async def delete_environment(uow: UnitOfWork, environment_id: int) -> None:
    await uow.environments.delete(environment_id)
