"""The machine policies repository on both databases: every field round-trips, stored policies are listed by
name, `all` has "Default Machine Policy" whether or not a row gives it other settings, a policy is found by
name in any case, and names are unique whatever the case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, MachinePolicy, PolicyConnectivity
from seaway.errors import Conflict

KIOSKS = MachinePolicy("Kiosks", timedelta(minutes=5), PolicyConnectivity.MAY_BE_OFFLINE)


async def test_every_field_round_trips_and_a_save_replaces_them(services):
    async with services.store.transaction() as uow:
        added = await uow.machine_policies.add(KIOSKS)
        assert added.id is not None
        saved = await uow.machine_policies.save(
            MachinePolicy("Shops", timedelta(days=1, seconds=30), PolicyConnectivity.EXPECTED_ONLINE, added.id)
        )
    async with services.store.reading() as uow:
        assert await uow.machine_policies.find_by_name("SHOPS") == saved
        assert await uow.machine_policies.find_by_name("Kiosks") is None
    assert saved.health_check_every == timedelta(days=1, seconds=30) and not saved.may_be_offline


async def test_stored_policies_are_listed_by_name_and_all_adds_the_default(services):
    async with services.store.transaction() as uow:
        kiosks = await uow.machine_policies.add(KIOSKS)
        branches = await uow.machine_policies.add(MachinePolicy("branches", timedelta(hours=6)))
        assert await uow.machine_policies.list() == [branches, kiosks]
        assert await uow.machine_policies.find_by_name(DEFAULT_MACHINE_POLICY.name) is None
        every = await uow.machine_policies.all()
    assert every == {"default machine policy": DEFAULT_MACHINE_POLICY, "branches": branches, "kiosks": kiosks}


async def test_a_stored_default_policy_takes_the_place_of_the_built_in_one(services):
    async with services.store.transaction() as uow:
        stored = await uow.machine_policies.add(
            MachinePolicy(DEFAULT_MACHINE_POLICY.name, timedelta(minutes=10), PolicyConnectivity.MAY_BE_OFFLINE)
        )
        assert await uow.machine_policies.find_by_name("default machine policy") == stored
        assert await uow.machine_policies.all() == {"default machine policy": stored}


async def test_a_name_is_taken_whatever_the_case(services):
    async with services.store.transaction() as uow:
        await uow.machine_policies.add(KIOSKS)
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.machine_policies.add(MachinePolicy("KIOSKS"))
