"""The targets a step with `run_on: targets` runs on: enabled, in the deployment's environment, with any of
the step's roles, in name order, each reached over SSH with its account and its pinned host key."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace

from seaway.domain.machine_policies import DEFAULT_MACHINE_POLICY, MachinePolicy
from seaway.domain.targets import DeploymentTarget
from seaway.engine.target_locks import TargetLocks
from seaway.steps.base import StepLog
from seaway.steps.on_targets import Machine
from seaway.store.unit_of_work import Store


def _policy(policies: Mapping[str, MachinePolicy], target: DeploymentTarget) -> MachinePolicy:
    return policies.get(target.policy.lower(), DEFAULT_MACHINE_POLICY)


class StoreMachines:
    def __init__(self, store: Store, locks: TargetLocks, *, connect_timeout: float = 10) -> None:
        self.store = store
        self.locks = locks
        self.connect_timeout = connect_timeout

    def lock(
        self, task_id: int, target: DeploymentTarget, log: StepLog, cancel: asyncio.Event
    ) -> AbstractAsyncContextManager[None]:
        return self.locks.lock(task_id, target, log, cancel)

    async def matching(self, environment: str, roles: Sequence[str]) -> list[Machine]:
        from seaway.targets.ssh import SshTarget  # loaded when first used, as the health checks' probe is

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
            account = accounts[target.endpoint.account.lower()]
            machines.append(Machine(target, SshTarget(target.endpoint, account, connect_timeout=self.connect_timeout)))
        return [replace(m, may_be_offline=_policy(policies, m.target).may_be_offline) for m in machines]

    async def release(self, machines: Sequence[Machine]) -> None:
        from seaway.targets.ssh import SshTarget

        for machine in machines:
            if isinstance(machine.transport, SshTarget):
                await machine.transport.close()
