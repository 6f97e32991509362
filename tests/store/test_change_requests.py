"""The change-requests repository on both databases: a request keeps its merged policy and every other field
as written, is found by number, task or deployment; it is locked, ended or canceled only while pending;
lists filter by state and time; one decision per person counts, in the order made; rebinding voids the
decisions and reopens the request; a timeout's teams are added once each."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from tests.fixtures.approvals import user_named
from tests.fixtures.change_request_records import a_change_request, queued_deployments
from tests.fixtures.engine import deploy, release_of

from seaway.domain.approval_timeouts import ApprovalTimeout, PolicyTimeout, TimeoutAction
from seaway.domain.change_requests import ChangeRequestDecision, ChangeRequestState
from seaway.domain.change_windows import PolicyWindows, WeeklyWindow
from seaway.domain.interruptions import Channel, Result
from seaway.domain.policies import MergedPolicy, QuorumClause
from seaway.errors import NotFound
from seaway.store.tables import tasks

TWO_GATES = MergedPolicy(
    policies=("Prod Gate", "Security"),
    teams=("Release Managers", "Security"),
    users=("alice",),
    minimum=2,
    block_deployment_creator=False,
    quorum=(QuorumClause("Security", 1),),
    timeouts=(PolicyTimeout("Prod Gate", ApprovalTimeout(timedelta(hours=24), TimeoutAction.ESCALATE, ("Boss",))),),
    remind_every=timedelta(hours=4),
    windows=(PolicyWindows("Security", (WeeklyWindow((0, 1, 2, 3, 4), time(9), time(17), "Europe/Paris"),)),),
)
APPROVED, REJECTED, CANCELED = ChangeRequestState.APPROVED, ChangeRequestState.REJECTED, ChangeRequestState.CANCELED


async def test_every_field_round_trips_and_a_request_is_found_by_number_task_and_deployment(services):
    gated, ungated = await queued_deployments(services, 2)
    alice = await user_named(services, "alice")
    request = a_change_request(
        gated,
        services.clock.now(),
        requested_by=alice.id,
        policy=TWO_GATES,
        content_hash="c" * 64,
        changes=("minimum approvals 1 → 2",),
        escalated_teams=("Directors",),
    )
    async with services.store.transaction() as uow:
        added = await uow.change_requests.add(request)
        assert added.id is not None and gated.id is not None and ungated.id is not None
        expected = replace(added, requested_by_username="alice")
        assert await uow.change_requests.get(added.id) == expected
        assert await uow.change_requests.find_for_task(gated.task_id or 0) == expected
        assert await uow.change_requests.find_for_deployment(gated.id) == expected
        assert await uow.change_requests.find_for_task(ungated.task_id or 0) is None
        assert await uow.change_requests.find_for_deployment(ungated.id) is None
        assert await uow.change_requests.for_deployments([ungated.id, gated.id, gated.id]) == {gated.id: expected}
        assert await uow.change_requests.for_deployments([]) == {}


async def test_an_unknown_number_is_not_found_by_its_name(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as unknown:
            await uow.change_requests.get(999)
        with pytest.raises(NotFound):
            await uow.change_requests.escalate(999, ["Directors"])
    assert (unknown.value.entity, unknown.value.id) == ("change_request", "999")
    assert str(unknown.value) == "change request SEA-999 does not exist"


async def test_only_a_pending_request_is_locked_ended_or_canceled_and_lists_filter_by_state(services):
    deployments = await queued_deployments(services, 4)
    now = services.clock.now()
    later = now + timedelta(minutes=5)
    environments = ["Dev", "Dev", "Prod", "Prod"]
    async with services.store.transaction() as uow:
        approved, canceled, first_prod, second_prod = [
            await uow.change_requests.add(a_change_request(d, now, environment=e))
            for d, e in zip(deployments, environments, strict=True)
        ]
        assert approved.id is not None and canceled.id is not None
        assert await uow.change_requests.lock_pending(approved.id) is True
        assert await uow.change_requests.end(approved.id, APPROVED, later) is True
        assert await uow.change_requests.end(approved.id, REJECTED, later, "too late") is False
        assert await uow.change_requests.lock_pending(approved.id) is False
        await uow.change_requests.cancel_for_task(canceled.task_id, later, "the deployment was canceled")
        await uow.change_requests.cancel_for_task(approved.task_id, later, "not pending: untouched")
        ended = [await uow.change_requests.get(approved.id), await uow.change_requests.get(canceled.id)]
        assert [(r.state, r.decided_at, r.reason) for r in ended] == [
            (APPROVED, later, ""),
            (CANCELED, later, "the deployment was canceled"),
        ]
        assert [r.id for r in await uow.change_requests.list()] == [second_prod.id, first_prod.id]
        assert [r.id for r in await uow.change_requests.list(state="completed")] == [canceled.id, approved.id]
        assert [r.id for r in await uow.change_requests.list(state="all", limit=3)] == [
            second_prod.id,
            first_prod.id,
            canceled.id,
        ]
        assert await uow.change_requests.pending_for("Quotes", "Prod") == [first_prod, second_prod]
        assert await uow.change_requests.pending_for("Quotes", "Dev") == []
        assert await uow.change_requests.pending_for("Other", "Prod") == []


async def test_created_between_includes_its_start_excludes_its_end_and_lists_oldest_first(services):
    deployments = await queued_deployments(services, 3)
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    times = [start + timedelta(hours=2), start, start + timedelta(hours=1)]
    async with services.store.transaction() as uow:
        late, early, middle = [
            await uow.change_requests.add(a_change_request(d, at)) for d, at in zip(deployments, times, strict=True)
        ]
        assert middle.id is not None
        await uow.change_requests.end(middle.id, REJECTED, start + timedelta(hours=3), "no")

        async def ids(since: datetime | None, until: datetime | None, **filters: object) -> list[int | None]:
            return [r.id for r in await uow.change_requests.created_between(since, until, **filters)]

        assert await ids(None, None) == [early.id, middle.id, late.id]
        assert await ids(start + timedelta(hours=1), None) == [middle.id, late.id]
        assert await ids(None, start + timedelta(hours=2)) == [early.id, middle.id]
        assert await ids(None, None, state="pending") == [early.id, late.id]
        assert await ids(None, None, state="completed") == [middle.id]
        assert await ids(None, None, limit=1) == [early.id]


async def test_one_decision_per_person_counts_and_rebinding_voids_them_and_reopens_the_request(services):
    (deployment,) = await queued_deployments(services, 1)
    alice, bob = await user_named(services, "alice"), await user_named(services, "bob")
    now = services.clock.now()
    async with services.store.transaction() as uow:
        request = await uow.change_requests.add(a_change_request(deployment, now))
        assert request.id is not None and alice.id is not None and bob.id is not None

        def decision(user_id: int, username: str, result: Result, channel: Channel) -> ChangeRequestDecision:
            return ChangeRequestDecision(request.id or 0, user_id, username, result, "notes", channel.value, now)

        bob_approves = decision(bob.id, "bob", Result.PROCEED, Channel.EMAIL_LINK)
        alice_rejects = decision(alice.id, "alice", Result.ABORT, Channel.UI)
        assert await uow.change_requests.add_decision(bob_approves) is True
        assert await uow.change_requests.add_decision(alice_rejects) is True
        assert await uow.change_requests.add_decision(replace(bob_approves, result=Result.ABORT)) is False
        assert await uow.change_requests.decisions(request.id) == [bob_approves, alice_rejects]
        assert await uow.change_requests.decisions_of([request.id, 999]) == {
            request.id: [bob_approves, alice_rejects],
            999: [],
        }

        await uow.change_requests.end(request.id, APPROVED, now)
        await uow.change_requests.rebind(request.id, TWO_GATES, "d" * 64, ["minimum approvals 1 → 2"])
        rebound = await uow.change_requests.get(request.id)
        assert await uow.change_requests.decisions(request.id) == []
        await uow.change_requests.escalate(request.id, ["Directors", "Security"])
        await uow.change_requests.escalate(request.id, ["security", "Auditors"])
        escalated = await uow.change_requests.get(request.id)
    assert (rebound.state, rebound.decided_at, rebound.policy) == (ChangeRequestState.PENDING, None, TWO_GATES)
    assert (rebound.content_hash, rebound.changes) == ("d" * 64, ("minimum approvals 1 → 2",))
    assert escalated.escalated_teams == ("Directors", "Security", "Auditors")


async def test_undecided_or_unstarted_are_the_releases_pending_requests_and_approved_ones_still_queued(services):
    (elsewhere_deployment,) = await queued_deployments(services, 1)
    release = await release_of(services, "Quotes")
    first, again = await deploy(services, release, "Dev"), await deploy(services, release, "Dev")
    now = services.clock.now()
    async with services.store.transaction() as uow:
        pending = await uow.change_requests.add(a_change_request(first, now))
        approved = await uow.change_requests.add(a_change_request(again, now))
        elsewhere = await uow.change_requests.add(a_change_request(elsewhere_deployment, now))
        assert pending.id is not None and approved.id is not None and release.id is not None
        await uow.change_requests.end(approved.id, APPROVED, now)
        assert [r.id for r in await uow.change_requests.undecided_or_unstarted(release.id)] == [
            pending.id,
            approved.id,
        ]
        await uow.conn.execute(tasks.update().where(tasks.c.id == again.task_id).values(state="running"))
        assert [r.id for r in await uow.change_requests.undecided_or_unstarted(release.id)] == [pending.id]
        await uow.change_requests.end(pending.id, REJECTED, now, "no")
        assert await uow.change_requests.undecided_or_unstarted(release.id) == []
        assert [r.id for r in await uow.change_requests.undecided_or_unstarted(elsewhere_deployment.release_id)] == [
            elsewhere.id
        ]
