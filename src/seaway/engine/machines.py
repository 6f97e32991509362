"""The targets a step with `run_on: targets` runs on: enabled, in the deployment's environment, with any of
the step's roles, in name order, each reached as `transports.transport_for` says."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager

from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, MachinePolicy
from seaway.domain.targets import DeploymentTarget
from seaway.engine.target_locks import TargetLocks
from seaway.engine.transports import close, transport_for
from seaway.steps.base import StepLog
from seaway.steps.on_targets import Machine
from seaway.store.unit_of_work import Store
from seaway.targets.agent import AgentCalls


def _policy(policies: Mapping[str, MachinePolicy], target: DeploymentTarget) -> MachinePolicy:
    return policies.get(target.policy.lower(), DEFAULT_MACHINE_POLICY)


class StoreMachines:
    def __init__(
        self, store: Store, locks: TargetLocks, *, connect_timeout: float = 10, agents: AgentCalls | None = None
    ) -> None:
        self.store = store
        self.locks = locks
        self.connect_timeout = connect_timeout
        self.agents = agents

    def lock(
        self, task_id: int, target: DeploymentTarget, log: StepLog, cancel: asyncio.Event
    ) -> AbstractAsyncContextManager[None]:
        return self.locks.lock(task_id, target, log, cancel)

    async def matching(self, environment: str, roles: Sequence[str]) -> list[Machine]:
        wanted = {r.lower() for r in roles}
        async with self.store.reading() as uow:
            targets = [
                t
                for t in await uow.targets.list()
                if t.enabled
                and environment.lower() in {e.lower() for e in t.environments}
                and wanted & {r.lower() for r in t.roles}
            ]
            accounts = {a.name.lower(): a for a in await uow.accounts.list()}
            policies = await uow.machine_policies.all()
        machines = []
        for target in sorted(targets, key=lambda t: t.name.lower()):
            transport = transport_for(target, accounts, agents=self.agents, connect_timeout=self.connect_timeout)
            machines.append(Machine(target, transport, may_be_offline=_policy(policies, target).may_be_offline))
        return machines

    async def release(self, machines: Sequence[Machine]) -> None:
        for machine in machines:
            await close(machine.transport)
