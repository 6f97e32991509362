"""The agents repository on both databases: a registration is found by its target or its secret's hash with
every field as written, registering again replaces the old secret, `seen` records what the agent last said of
itself (cut to the column widths), a secret hash belongs to one agent, and revoking is False once done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seaway.domain.agents import AgentRegistration
from seaway.domain.targets import AgentEndpoint, DeploymentTarget
from seaway.errors import Conflict

REGISTERED = datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=UTC)
OLD_SECRET, NEW_SECRET = "a" * 64, "b" * 64


async def agent_target_ids(services, *names: str) -> list[int]:
    async with services.store.transaction() as uow:
        targets = [await uow.targets.add(DeploymentTarget(n, ("Test",), ("web",), AgentEndpoint())) for n in names]
    return [target.id or 0 for target in targets]


async def test_a_registration_round_trips_and_registering_again_replaces_the_secret(services):
    (target_id,) = await agent_target_ids(services, "branch-01")
    async with services.store.transaction() as uow:
        await uow.agents.register(target_id, OLD_SECRET, REGISTERED, home="/old", hostname="old-host")
        assert await uow.agents.find_by_secret(OLD_SECRET) is not None
        await uow.agents.register(target_id, NEW_SECRET, REGISTERED, home="/srv/agent", hostname="h" * 300)
    async with services.store.reading() as uow:
        assert await uow.agents.find_by_secret(OLD_SECRET) is None
        by_secret = await uow.agents.find_by_secret(NEW_SECRET)
        assert await uow.agents.find(target_id) == by_secret
    assert by_secret == AgentRegistration(target_id, NEW_SECRET, REGISTERED, None, "", "h" * 255, "/srv/agent")


async def test_seen_records_the_last_version_and_hostname_it_reported(services):
    (target_id,) = await agent_target_ids(services, "branch-01")
    async with services.store.transaction() as uow:
        await uow.agents.register(target_id, NEW_SECRET, REGISTERED, home="/srv/agent", hostname="branch")
        await uow.agents.seen(target_id, REGISTERED + timedelta(minutes=1), version="1.0", hostname="first")
        await uow.agents.seen(target_id, REGISTERED + timedelta(minutes=2), version="v" * 150, hostname="n" * 300)
    async with services.store.reading() as uow:
        seen = await uow.agents.find(target_id)
    assert seen is not None and seen.registered_at == REGISTERED and seen.home == "/srv/agent"
    assert (seen.last_seen_at, seen.version, seen.hostname) == (REGISTERED + timedelta(minutes=2), "v" * 100, "n" * 255)


async def test_revoking_forgets_only_that_agent_and_is_false_when_it_had_none(services):
    first, second = await agent_target_ids(services, "branch-01", "branch-02")
    async with services.store.transaction() as uow:
        await uow.agents.register(first, OLD_SECRET, REGISTERED, home="/a", hostname="a")
        await uow.agents.register(second, NEW_SECRET, REGISTERED, home="/b", hostname="b")
        assert await uow.agents.revoke(first)
        assert not await uow.agents.revoke(first)
        assert await uow.agents.find(first) is None and await uow.agents.find_by_secret(OLD_SECRET) is None
        assert await uow.agents.find(second) is not None


async def test_a_secret_hash_belongs_to_one_agent(services):
    first, second = await agent_target_ids(services, "branch-01", "branch-02")
    async with services.store.transaction() as uow:
        await uow.agents.register(first, NEW_SECRET, REGISTERED, home="/a", hostname="a")
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.agents.register(second, NEW_SECRET, REGISTERED, home="/b", hostname="b")
