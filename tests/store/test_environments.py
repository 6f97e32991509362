"""The environments repository on both databases: found by id or by name in any case, listed in order."""

from __future__ import annotations

import pytest

from seaway.domain.environments import Environment
from seaway.errors import Conflict, NotFound


async def test_environments_are_added_saved_listed_and_deleted(services):
    async with services.store.transaction() as uow:
        prod = await uow.environments.add(Environment("Prod", sort_order=2))
        dev = await uow.environments.add(Environment("Dev", sort_order=1, description="daily"))
        assert prod.id is not None and dev.id is not None
        assert await uow.environments.get(dev.id) == dev
        assert await uow.environments.find_by_name("dEV") == dev
        assert await uow.environments.get_by_name("PROD") == prod
        renamed = await uow.environments.save(Environment("Production", 0, "live", prod.id))
        assert [e.name for e in await uow.environments.list()] == ["Production", "Dev"]
        assert await uow.environments.get(prod.id) == renamed
        await uow.environments.delete(dev.id)
        assert await uow.environments.find_by_name("Dev") is None


async def test_an_unknown_environment_is_not_found(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as by_id:
            await uow.environments.get(999)
        with pytest.raises(NotFound) as by_name:
            await uow.environments.get_by_name("Nowhere")
        with pytest.raises(NotFound):
            await uow.environments.delete(999)
    assert (by_id.value.entity, by_id.value.id) == ("environment", "999")
    assert by_name.value.id == "Nowhere"


async def test_a_name_differing_only_in_case_is_a_conflict(services):
    async with services.store.transaction() as uow:
        await uow.environments.add(Environment("Dev"))
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.environments.add(Environment("DEV"))
