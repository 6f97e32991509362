"""Lifecycles: create, change, delete; every phase names environments that exist, names are unique."""

from __future__ import annotations

from dataclasses import replace

from seaway.domain.lifecycles import Lifecycle, validate_lifecycle
from seaway.engine.names import refuse_name_clash
from seaway.store.unit_of_work import UnitOfWork


async def check_lifecycle(uow: UnitOfWork, lifecycle: Lifecycle, *, path: str = "") -> None:
    """The phases name stored environments; `path` places errors in a config document."""
    validate_lifecycle(lifecycle, [e.name for e in await uow.environments.list()], path=path)


async def create_lifecycle(uow: UnitOfWork, lifecycle: Lifecycle) -> Lifecycle:
    await check_lifecycle(uow, lifecycle)
    refuse_name_clash(await uow.lifecycles.find_by_name(lifecycle.name), None, f'a lifecycle named "{lifecycle.name}"')
    return await uow.lifecycles.add(lifecycle)


async def update_lifecycle(uow: UnitOfWork, lifecycle_id: int, lifecycle: Lifecycle) -> Lifecycle:
    existing = await uow.lifecycles.get(lifecycle_id)
    await check_lifecycle(uow, lifecycle)
    refuse_name_clash(
        await uow.lifecycles.find_by_name(lifecycle.name), existing.id, f'a lifecycle named "{lifecycle.name}"'
    )
    return await uow.lifecycles.save(replace(lifecycle, id=existing.id))


async def delete_lifecycle(uow: UnitOfWork, lifecycle_id: int) -> None:
    await uow.lifecycles.delete(lifecycle_id)
