"""What every repository of named resources shares (`store/base.NamedRepository`), on both databases and
over two of its kinds: a round trip, names matched whatever their case, listing by name, saving, deleting,
and an unknown id or name a NotFound naming the kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from seaway.domain.freezes import Freeze
from seaway.domain.policies import ApprovalPolicy, QuorumClause
from seaway.errors import NotFound

START = datetime(2026, 12, 20, tzinfo=UTC)
END = datetime(2027, 1, 3, tzinfo=UTC)

KINDS: dict[str, tuple[str, Any, Any]] = {
    "freezes": (
        "freeze",
        Freeze("Year end", START, END, "quiet", ("Quotes",), ("Prod",)),
        Freeze("ad hoc", START, END),
    ),
    "policies": (
        "policy",
        ApprovalPolicy("Prod gate", "", (), ("Prod",), ("Ops",), (), 2, True, (QuorumClause("Ops", 1),)),
        ApprovalPolicy("another", users=("alice",)),
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_a_named_record_round_trips_and_is_found_by_name_in_any_case(services, kind):
    entity, first, second = KINDS[kind]
    async with services.store.transaction() as uow:
        records = getattr(uow, kind)
        added = await records.add(first)
        other = await records.add(second)
    assert added.id is not None and added == replace(first, id=added.id)
    async with services.store.reading() as uow:
        records = getattr(uow, kind)
        assert await records.get(added.id) == added
        assert await records.find_by_name(first.name.upper()) == added
        assert await records.get_by_name(first.name.lower()) == added
        assert await records.find_by_name("nothing") is None
        assert await records.list() == sorted([added, other], key=lambda r: r.name.lower())
        with pytest.raises(NotFound) as caught:
            await records.get_by_name("nothing")
        assert caught.value.entity == entity


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_a_named_record_is_saved_and_deleted(services, kind):
    entity, first, _ = KINDS[kind]
    async with services.store.transaction() as uow:
        records = getattr(uow, kind)
        added = await records.add(first)
        renamed = await records.save(replace(added, name="Renamed"))
    async with services.store.transaction() as uow:
        records = getattr(uow, kind)
        assert await records.get(added.id) == renamed
        assert await records.find_by_name(first.name) is None
        await records.delete(added.id)
    async with services.store.reading() as uow:
        records = getattr(uow, kind)
        assert await records.list() == []
        with pytest.raises(NotFound) as caught:
            await records.get(added.id)
        assert caught.value.entity == entity
        with pytest.raises(NotFound):
            await records.delete(added.id)
