"""The lifecycles repository on both databases: phases round-trip through JSON."""

from __future__ import annotations

import pytest

from seaway.domain.lifecycles import Lifecycle, Phase
from seaway.errors import NotFound

PHASES = (
    Phase("Dev", ("Dev",), optional=True, automatic=("Dev",)),
    Phase("Test", ("Test", "QA"), minimum=1),
)


async def test_lifecycles_are_added_saved_listed_and_deleted(services):
    async with services.store.transaction() as uow:
        added = await uow.lifecycles.add(Lifecycle("Standard", PHASES))
        other = await uow.lifecycles.add(Lifecycle("Hotfix", PHASES[1:]))
        assert added.id is not None and other.id is not None
        assert await uow.lifecycles.get(added.id) == added
        assert await uow.lifecycles.find_by_name("standard") == added
        saved = await uow.lifecycles.save(Lifecycle("Standard", PHASES[:1], added.id))
        assert await uow.lifecycles.get(added.id) == saved
        assert [lc.name for lc in await uow.lifecycles.list()] == ["Standard", "Hotfix"]
        await uow.lifecycles.delete(other.id)
        assert await uow.lifecycles.find_by_name("Hotfix") is None
    assert added.phases == PHASES


async def test_an_unknown_lifecycle_is_not_found(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as raised:
            await uow.lifecycles.get(999)
        with pytest.raises(NotFound):
            await uow.lifecycles.delete(999)
    assert raised.value.entity == "lifecycle"
