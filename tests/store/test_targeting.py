"""What targeting stores, on both databases: a project's connectivity and a rolling step's children round
trip, machine policies by name with the default one always there, and the target lock row."""

from __future__ import annotations

from datetime import timedelta

from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, MachinePolicy, PolicyConnectivity
from seaway.domain.process import Step, StepType
from seaway.domain.projects import Project
from seaway.domain.targeting import Connectivity

ROLLING = Step(
    "Web",
    StepType.ROLLING,
    {"roles": ["web"], "rolling": {"window": 2}},
    children=(Step("Drain", StepType.SCRIPT, {"script": "echo drain"}), Step("Idle", StepType.NOOP, enabled=False)),
)


async def test_a_project_s_connectivity_and_child_steps_round_trip(services):
    connectivity = Connectivity(allow_no_targets=True, skip_unavailable=True)
    async with services.store.transaction() as uow:
        added = await uow.projects.add(Project("Site", process=(ROLLING,), connectivity=connectivity))
        plain = await uow.projects.add(Project("Plain"))
    async with services.store.reading() as uow:
        assert added.id is not None and plain.id is not None
        assert await uow.projects.get(added.id) == added
        assert (await uow.projects.get(plain.id)).connectivity == Connectivity()
        summaries = {s.name: s.connectivity for s in await uow.projects.list_summaries()}
    assert summaries == {"Site": connectivity, "Plain": Connectivity()}


async def test_machine_policies_by_name_with_the_default_one_always_there(services):
    async with services.store.reading() as uow:
        assert await uow.machine_policies.all() == {"default machine policy": DEFAULT_MACHINE_POLICY}
    edge = MachinePolicy("Edge", timedelta(minutes=30), PolicyConnectivity.MAY_BE_OFFLINE)
    async with services.store.transaction() as uow:
        added = await uow.machine_policies.add(edge)
        default = await uow.machine_policies.add(MachinePolicy("Default Machine Policy", timedelta(hours=6)))
        assert await uow.machine_policies.find_by_name("EDGE") == added
        saved = await uow.machine_policies.save(MachinePolicy("Edge", timedelta(days=1), id=added.id))
    async with services.store.reading() as uow:
        policies = await uow.machine_policies.all()
    assert policies == {"default machine policy": default, "edge": saved}
