"""Agent targets, registrations and work on both databases: a pending item is claimed once and never
handed out to be started again, a result is written once, lines sent again are kept once, an expired item
is no one's, ids are never reused, and deleting the target takes its agent and work with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seaway.domain.agents import WorkKind, WorkState
from seaway.domain.targets import AgentEndpoint, CommunicationStyle, DeploymentTarget

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def agent_target(services, name: str = "branch-01") -> DeploymentTarget:
    async with services.store.transaction() as uow:
        return await uow.targets.add(DeploymentTarget(name, ("Test",), ("web",), AgentEndpoint()))


async def test_an_agent_target_round_trips_with_its_registration(services):
    target = await agent_target(services)
    assert target.id is not None
    async with services.store.transaction() as uow:
        await uow.agents.register(target.id, "h" * 64, AT, home="/srv/agent/branch-01", hostname="branch")
        await uow.agents.seen(target.id, AT + timedelta(seconds=5), version="seaway-agent/1", hostname="branch")
    async with services.store.reading() as uow:
        stored = await uow.targets.get_by_name("BRANCH-01")
        registration = await uow.agents.find_by_secret("h" * 64)
    assert stored == target and stored.style is CommunicationStyle.POLLING_AGENT
    assert registration is not None and registration.home == "/srv/agent/branch-01"
    assert registration.last_seen_at == AT + timedelta(seconds=5) and registration.version == "seaway-agent/1"

    async with services.store.transaction() as uow:
        assert await uow.agents.revoke(target.id)
        assert not await uow.agents.revoke(target.id)
    async with services.store.reading() as uow:
        assert await uow.agents.find(target.id) is None


async def test_work_is_claimed_once_and_its_result_written_once(services):
    target = await agent_target(services)
    assert target.id is not None
    async with services.store.transaction() as uow:
        first = await uow.agent_work.add(target.id, WorkKind.RUN, {"argv": ["true"]}, AT)
        second = await uow.agent_work.add(target.id, WorkKind.UPLOAD, {"remote": "x"}, AT, b"bytes")
    async with services.store.transaction() as uow:
        claimed = await uow.agent_work.claim(target.id, AT, besides=())
    assert [(i.id, i.state) for i in claimed] == [(first, WorkState.CLAIMED), (second, WorkState.CLAIMED)]
    async with services.store.transaction() as uow:  # the agent says it runs `first`: only `second` again
        again = await uow.agent_work.claim(target.id, AT, besides={first})
        assert not await uow.agent_work.expire(first, AT)  # claimed: too late to withdraw
        assert await uow.agent_work.finish(first, target.id, {"exit_code": 0}, AT)
        assert not await uow.agent_work.finish(first, target.id, {"exit_code": 1}, AT)
        assert await uow.agent_work.content(second) == b"bytes"
    assert [(i.id, i.resumed) for i in again] == [(second, True)]
    assert not any(i.resumed for i in claimed)
    async with services.store.reading() as uow:
        done = await uow.agent_work.get(first)
        assert await uow.agent_work.open_ids(target.id) == {second}
    assert done.state is WorkState.DONE and done.result == {"exit_code": 0}


async def test_lines_sent_again_are_kept_once_and_ids_are_never_reused(services):
    target = await agent_target(services)
    assert target.id is not None
    async with services.store.transaction() as uow:
        work = await uow.agent_work.add(target.id, WorkKind.RUN, {}, AT)
        assert await uow.agent_work.add_lines(work, 0, [("info", "a"), ("error", "b")]) == 2
        assert await uow.agent_work.add_lines(work, 0, [("info", "a"), ("error", "b"), ("info", "c")]) == 3
        assert await uow.agent_work.add_lines(work, 5, [("info", "gap")]) == 3
        assert await uow.agent_work.lines_from(work, 1) == [(1, "error", "b"), (2, "info", "c")]
        await uow.agent_work.delete(work)
        later = await uow.agent_work.add(target.id, WorkKind.RUN, {}, AT)
    assert later > work


async def test_an_expired_item_is_handed_to_no_one_and_a_deleted_target_takes_its_work(services):
    target = await agent_target(services)
    assert target.id is not None
    async with services.store.transaction() as uow:
        work = await uow.agent_work.add(target.id, WorkKind.RUN, {}, AT)
        assert await uow.agent_work.expire(work, AT)
        assert await uow.agent_work.claim(target.id, AT, besides=()) == []
        await uow.agents.register(target.id, "s" * 64, AT, home="/srv", hostname="")
        await uow.targets.delete(target.id)
    async with services.store.reading() as uow:
        assert await uow.agents.find(target.id) is None
        assert await uow.agent_work.open_ids(target.id) == set()
