"""The approval-policies repository on both databases: every field of a policy (quorum, timeout, reminders,
change windows, scope) comes back as it was written and as it was last saved; names are unique
case-insensitively. What every named resource shares (NotFound, lookups in any case) is pinned down over
policies and freezes in test_named_repository.py."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tests.fixtures.named_records import assert_names_unique_in_any_case

from seaway.domain.approval_timeouts import ApprovalTimeout, TimeoutAction
from seaway.domain.change_windows import DateRangeWindow, WeeklyWindow
from seaway.domain.policies import ApprovalPolicy, QuorumClause

GATED = ApprovalPolicy(
    "Prod Gate",
    description="two people sign off",
    projects=("Quotes",),
    environments=("Prod",),
    teams=("Release Managers", "Security"),
    users=("alice",),
    minimum=2,
    block_deployment_creator=False,
    quorum=(QuorumClause("Security", 1),),
    timeout=ApprovalTimeout(timedelta(hours=24), TimeoutAction.ESCALATE, ("Directors",)),
    remind_every=timedelta(hours=4),
    change_windows=(
        WeeklyWindow((0, 2, 4), time(9, 0), time(17, 30), "Europe/Paris"),
        DateRangeWindow(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 24, tzinfo=UTC)),
    ),
    tags=("regulated",),
)


async def test_every_field_round_trips_and_policies_list_by_name(services):
    async with services.store.transaction() as uow:
        gated = await uow.policies.add(GATED)
        plain = await uow.policies.add(ApprovalPolicy("any change"))
        assert gated.id is not None and plain.id is not None
        assert await uow.policies.get(gated.id) == gated
        assert await uow.policies.get(plain.id) == plain  # no timeout, no reminders, no windows
        assert await uow.policies.find_by_name("PROD gate") == gated
        assert await uow.policies.get_by_name("Any Change") == plain
        assert [p.name for p in await uow.policies.list()] == ["any change", "Prod Gate"]


async def test_a_policy_is_saved_and_deleted(services):
    async with services.store.transaction() as uow:
        gated = await uow.policies.add(GATED)
        assert gated.id is not None
        edited = ApprovalPolicy("Production Gate", teams=("Security",), minimum=1, id=gated.id)
        assert await uow.policies.save(edited) == edited
        assert await uow.policies.get(gated.id) == edited
        assert await uow.policies.find_by_name("Prod Gate") is None
        await uow.policies.delete(gated.id)
        assert await uow.policies.list() == []


async def test_a_name_differing_only_in_case_is_a_conflict(services):
    await assert_names_unique_in_any_case(services, "policies", GATED)
