"""Who may decide an interruption, what a decision must contain, what later steps read, and link states."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.grants import Grant
from seaway.domain.interruptions import (
    ApprovalLink,
    Interruption,
    InterruptionKind,
    InterruptionState,
    LinkNotUsable,
    LinkStatus,
    Outcome,
    Result,
    already_decided_message,
    check_may_decide,
    content_hash,
    decision_outputs,
    dedupe_key,
    link_for_decision,
    link_status,
    may_decide,
    rejection_error,
    responsible_users,
    validate_decision,
)
from seaway.domain.roles import BUILTIN_ROLES, grants_of
from seaway.domain.users import Team, TeamRole, User
from seaway.errors import InvalidInput, NotResponsible, SelfApprovalRefused

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Everyone here may deploy and decide gates everywhere; who may decide a given gate is what is tested.
EVERYWHERE = (Grant("project-deployer", "Deployers", frozenset(BUILTIN_ROLES["project-deployer"].permissions)),)
ALICE = User("alice", "Alice Approver", "alice@example.org", id=1, grants=EVERYWHERE)
BOB = User("bob", "Bob Builder", "bob@example.org", id=2, grants=EVERYWHERE)
CAROL = User("carol", "Carol Outsider", "carol@example.org", id=3, grants=EVERYWHERE)
STAKEHOLDERS = Team("Project Stakeholders", members=("Alice", "bob"))


def make_interruption(**overrides: object) -> Interruption:
    values: dict[str, object] = {
        "kind": InterruptionKind.MANUAL_INTERVENTION,
        "task_id": 7,
        "step_index": 1,
        "step_name": "Sign Off",
        "deployment_id": 5,
        "project_id": 1,
        "release_id": 3,
        "environment": "Prod",
        "created_at": NOW,
        "content_hash": "c" * 64,
        "responsible_teams": ("project stakeholders",),
        "id": 4,
    }
    values.update(overrides)
    return Interruption(**values)  # type: ignore[arg-type]


def make_link(**overrides: object) -> ApprovalLink:
    values: dict[str, object] = {
        "interruption_id": 4,
        "user_id": 1,
        "decision": Result.PROCEED,
        "token_hash": "a" * 64,
        "content_hash": "c" * 64,
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=72),
    }
    values.update(overrides)
    return ApprovalLink(**values)  # type: ignore[arg-type]


def test_members_of_a_responsible_team_may_decide_whatever_the_case_of_the_names():
    check_may_decide(make_interruption(), ALICE, [STAKEHOLDERS], "Quotes")
    check_may_decide(make_interruption(), BOB, [STAKEHOLDERS], "Quotes")


def test_someone_outside_the_responsible_teams_may_not_decide():
    with pytest.raises(NotResponsible) as refused:
        check_may_decide(make_interruption(), CAROL, [STAKEHOLDERS], "Quotes")
    assert '"project stakeholders"' in str(refused.value)
    assert refused.value.id == "Interruptions-4"


def test_membership_is_checked_against_the_teams_as_they_are_now():
    left = Team("Project Stakeholders", members=("bob",))
    assert not may_decide(make_interruption(), ALICE, [left], "Quotes")
    assert not may_decide(make_interruption(), ALICE, [], "Quotes")


def test_a_disabled_member_may_not_decide():
    assert not may_decide(make_interruption(), replace(ALICE, active=False), [STAKEHOLDERS], "Quotes")


def test_without_responsible_teams_anyone_who_may_deploy_there_may_decide():
    open_gate = make_interruption(responsible_teams=())
    assert may_decide(open_gate, CAROL, [], "Quotes")
    assert not may_decide(open_gate, replace(CAROL, active=False), [], "Quotes")


@given(
    members=st.sets(st.sampled_from(["alice", "bob", "carol", "dave"])),
    who=st.sampled_from(["alice", "bob", "carol", "dave"]),
)
def test_with_teams_exactly_their_active_members_may_decide(members: set[str], who: str):
    team = Team("Gate", members=tuple(members))
    user = User(who, id=9, grants=EVERYWHERE)
    assert may_decide(make_interruption(responsible_teams=("Gate",)), user, [team], None) is (who in members)


def test_responsible_users_are_the_active_members_or_everyone_active_without_teams():
    disabled = User("bob", "Bob", "bob@example.org", active=False, id=2)
    everyone = [ALICE, disabled, CAROL]
    assert responsible_users(make_interruption(), [STAKEHOLDERS], everyone) == [ALICE]
    assert responsible_users(make_interruption(responsible_teams=()), [STAKEHOLDERS], everyone) == [ALICE, CAROL]


def test_the_deployer_is_not_among_the_responsible_users_unless_self_approval_is_allowed():
    everyone = [ALICE, BOB, CAROL]
    by_alice = make_interruption(requested_by=ALICE.id)
    assert responsible_users(by_alice, [STAKEHOLDERS], everyone) == [BOB]
    assert responsible_users(replace(by_alice, responsible_teams=()), [], everyone) == [BOB, CAROL]
    allowed = replace(by_alice, allow_self_approval=True)
    assert responsible_users(allowed, [STAKEHOLDERS], everyone) == [ALICE, BOB]


def test_the_deployer_may_not_decide_their_own_gate_even_as_a_responsible_member():
    with pytest.raises(SelfApprovalRefused) as refused:
        check_may_decide(make_interruption(requested_by=ALICE.id), ALICE, [STAKEHOLDERS], "Quotes")
    assert refused.value.code == "self_approval"
    assert 'user "alice" started this deployment' in str(refused.value)
    assert "allow_self_approval: true" in str(refused.value)
    assert isinstance(refused.value, NotResponsible)  # a 403 like any other refusal
    check_may_decide(make_interruption(requested_by=ALICE.id), BOB, [STAKEHOLDERS], "Quotes")


def test_the_step_can_allow_the_deployer_to_decide():
    gate = make_interruption(requested_by=ALICE.id, allow_self_approval=True)
    check_may_decide(gate, ALICE, [STAKEHOLDERS], "Quotes")


def test_a_deployment_started_by_seaway_itself_has_no_deployer_to_exclude():
    assert may_decide(make_interruption(requested_by=None), ALICE, [STAKEHOLDERS], "Quotes")


def granted(*roles: TeamRole) -> tuple[Grant, ...]:
    return grants_of("someone", [Team("Theirs", ("someone",), roles)], [])


def person(username: str, user_id: int, *roles: TeamRole) -> User:
    return User(username, email=f"{username}@example.org", id=user_id, grants=granted(*roles))


PROD_APPROVER = person("pat", 10, TeamRole("approver", environments=("Prod",)))
TEST_APPROVER = person("tess", 11, TeamRole("approver", environments=("Test",)))
QUOTES_PROD_DEPLOYER = person("dora", 12, TeamRole("project-deployer", environments=("Prod",), projects=("Quotes",)))
VIEWER = person("vic", 13, TeamRole("project-viewer"))


def test_an_approver_in_scope_may_decide_a_gate_whose_teams_they_are_not_in():
    check_may_decide(make_interruption(), PROD_APPROVER, [STAKEHOLDERS], "Quotes")
    check_may_decide(make_interruption(responsible_teams=()), PROD_APPROVER, [], "Quotes")


def test_an_approver_out_of_scope_is_held_to_the_responsible_teams():
    with pytest.raises(NotResponsible) as out_of_scope:  # may neither decide nor submit in Prod
        check_may_decide(make_interruption(), TEST_APPROVER, [STAKEHOLDERS], "Quotes")
    assert out_of_scope.value.message == 'missing permission interruption.submit for environment "Prod"'
    deploys_too = replace(TEST_APPROVER, grants=TEST_APPROVER.grants + EVERYWHERE)
    with pytest.raises(NotResponsible) as not_in_team:  # may submit in Prod, but only as a team member
        check_may_decide(make_interruption(), deploys_too, [STAKEHOLDERS], "Quotes")
    assert 'user "tess" is not in the responsible teams' in not_in_team.value.message
    check_may_decide(make_interruption(), deploys_too, [Team("Project Stakeholders", ("tess",))], "Quotes")


def test_an_approver_may_not_decide_their_own_deployments_gate_either():
    with pytest.raises(SelfApprovalRefused):
        check_may_decide(make_interruption(requested_by=PROD_APPROVER.id), PROD_APPROVER, [], "Quotes")


def test_without_teams_deciding_needs_deploying_and_submitting_there():
    open_gate = make_interruption(responsible_teams=())
    assert may_decide(open_gate, QUOTES_PROD_DEPLOYER, [], "Quotes")
    assert not may_decide(open_gate, QUOTES_PROD_DEPLOYER, [], "Shop")
    with pytest.raises(NotResponsible) as viewer:
        check_may_decide(open_gate, VIEWER, [], "Quotes")
    assert viewer.value.message == "missing permission interruption.submit"


def test_a_member_of_the_responsible_team_without_the_right_to_submit_there_is_not_asked():
    members = Team("Project Stakeholders", members=("alice", "vic"))
    assert responsible_users(make_interruption(), [members], [ALICE, VIEWER]) == [ALICE]


def test_without_teams_the_people_asked_are_those_whose_grants_let_them_decide_there():
    gate = make_interruption(responsible_teams=(), project_name="Quotes")
    everyone = [VIEWER, QUOTES_PROD_DEPLOYER, TEST_APPROVER, PROD_APPROVER, replace(PROD_APPROVER, id=14, active=False)]
    assert responsible_users(gate, [], everyone) == [QUOTES_PROD_DEPLOYER, PROD_APPROVER]
    assert responsible_users(replace(gate, project_name="Shop"), [], everyone) == [PROD_APPROVER]


def test_an_approver_outside_the_named_teams_may_decide_but_is_not_emailed():
    assert responsible_users(make_interruption(), [STAKEHOLDERS], [ALICE, PROD_APPROVER]) == [ALICE]


@given(
    members=st.sets(st.sampled_from(["alice", "bob", "carol", "dave"])),
    deployer=st.sampled_from(["alice", "bob", "carol", "dave"]),
    teams_named=st.booleans(),
)
def test_the_deployers_decision_never_counts_unless_allowed(members: set[str], deployer: str, teams_named: bool):
    ids = {"alice": 1, "bob": 2, "carol": 3, "dave": 4}
    users = [User(name, email=f"{name}@example.org", id=ids[name], grants=EVERYWHERE) for name in ids]
    team = Team("Gate", members=tuple(members))
    gate = make_interruption(responsible_teams=("Gate",) if teams_named else (), requested_by=ids[deployer])
    deployer_user = users[ids[deployer] - 1]

    assert not may_decide(gate, deployer_user, [team], "Quotes")
    assert deployer_user not in responsible_users(gate, [team], users)
    # Everyone else keeps exactly the say they had, and the deployer gets it back only when allowed.
    for user in users:
        if user is not deployer_user:
            assert may_decide(gate, user, [team], "Quotes") is (not teams_named or user.username in members)
    allowed = replace(gate, allow_self_approval=True)
    assert may_decide(allowed, deployer_user, [team], "Quotes") is (not teams_named or deployer in members)


def test_rejecting_needs_a_reason_and_approving_does_not():
    assert validate_decision("proceed", None) == (Result.PROCEED, "")
    assert validate_decision("abort", "  broken build \n") == (Result.ABORT, "broken build")
    with pytest.raises(InvalidInput) as no_reason:
        validate_decision("abort", "   ")
    assert no_reason.value.field == "notes"


def test_a_result_must_be_proceed_or_abort_and_notes_must_be_short_text():
    with pytest.raises(InvalidInput) as bad_result:
        validate_decision("approve", "")
    assert bad_result.value.field == "result"
    with pytest.raises(InvalidInput) as long_notes:
        validate_decision("proceed", "x" * 4001)
    assert long_notes.value.field == "notes"
    with pytest.raises(InvalidInput):
        validate_decision("proceed", 42)
    with pytest.raises(InvalidInput, match="NUL") as nul:
        validate_decision("abort", "broken\x00build")
    assert nul.value.field == "notes"


def test_an_approval_gives_later_steps_the_outcome_and_who_decided():
    decided = make_interruption(
        state=InterruptionState.RESOLVED, result=Result.PROCEED, notes="ship it", decided_by=1, decided_at=NOW
    )
    assert decision_outputs(decided, ALICE) == {
        "Manual.Approved": "True",
        "Manual.Notes": "ship it",
        "Manual.Outcome": "Approved",
        "Manual.ResponsibleUser.Id": "Users-1",
        "Manual.ResponsibleUser.Username": "alice",
        "Manual.ResponsibleUser.DisplayName": "Alice Approver",
        "Manual.ResponsibleUser.EmailAddress": "alice@example.org",
    }


def test_a_rejection_and_a_cancel_are_not_approvals():
    rejected = make_interruption(state=InterruptionState.RESOLVED, result=Result.ABORT, notes="no")
    canceled = make_interruption(state=InterruptionState.CANCELED, notes="the deployment was canceled")
    assert rejected.outcome is Outcome.REJECTED
    assert decision_outputs(rejected, BOB)["Manual.Approved"] == "False"
    assert decision_outputs(canceled, None) == {
        "Manual.Approved": "False",
        "Manual.Notes": "the deployment was canceled",
        "Manual.Outcome": "Canceled",
    }
    assert make_interruption().outcome is None


def test_the_rejection_error_starts_with_rejected_and_names_who_and_why():
    assert rejection_error(BOB, "tests are red") == "Rejected by Bob Builder: tests are red"
    assert rejection_error(None, "") == "Rejected by a responsible user"


def test_the_loser_of_a_race_is_told_who_decided_and_when():
    decided = make_interruption(state=InterruptionState.RESOLVED, result=Result.ABORT, decided_at=NOW)
    assert (
        already_decided_message(decided, BOB) == "already decided by Bob Builder at 2026-03-02 09:00:00 UTC (rejected)"
    )


def test_a_link_is_usable_until_used_revoked_superseded_or_expired():
    link = make_link()
    assert link_status(link, NOW) is LinkStatus.USABLE
    assert link_status(link, NOW + timedelta(hours=72)) is LinkStatus.EXPIRED
    assert link_status(replace(link, revoked_at=NOW), NOW) is LinkStatus.REVOKED
    assert link_status(link, NOW, current_content_hash="d" * 64) is LinkStatus.SUPERSEDED
    assert link_status(link, NOW, current_content_hash="c" * 64) is LinkStatus.USABLE
    used = replace(link, used_at=NOW, revoked_at=NOW)
    assert link_status(used, NOW + timedelta(days=9)) is LinkStatus.USED


def test_a_link_decides_only_its_own_decision_for_its_own_person_on_its_own_interruption():
    link = make_link()
    assert link_for_decision(link, 4, ALICE, Result.PROCEED) is link
    for other in [(None, 4, ALICE, Result.PROCEED), (link, 5, ALICE, Result.PROCEED), (link, 4, BOB, Result.PROCEED)]:
        with pytest.raises(LinkNotUsable) as caught:
            link_for_decision(*other)
        assert caught.value.status is LinkStatus.REVOKED and "not valid for this decision" in caught.value.message
    with pytest.raises(LinkNotUsable, match="this link can only proceed"):
        link_for_decision(link, 4, ALICE, Result.ABORT)


def test_the_content_hash_covers_every_part_and_ignores_key_order():
    base = content_hash(3, "1.0.0", [{"name": "a", "type": "noop"}], [{"name": "v", "value": "1"}], [])
    reordered = content_hash(3, "1.0.0", [{"type": "noop", "name": "a"}], [{"value": "1", "name": "v"}], [])
    assert base == reordered and len(base) == 64
    assert base != content_hash(4, "1.0.0", [{"name": "a", "type": "noop"}], [{"name": "v", "value": "1"}], [])
    assert base != content_hash(3, "1.0.1", [{"name": "a", "type": "noop"}], [{"name": "v", "value": "1"}], [])
    assert base != content_hash(3, "1.0.0", [], [{"name": "v", "value": "1"}], [])
    assert base != content_hash(3, "1.0.0", [{"name": "a", "type": "noop"}], [{"name": "v", "value": "2"}], [])
    assert base != content_hash(
        3, "1.0.0", [{"name": "a", "type": "noop"}], [{"name": "v", "value": "1"}], [["a", "2"]]
    )


def test_one_interruption_per_kind_task_and_step():
    assert dedupe_key(InterruptionKind.MANUAL_INTERVENTION, 7, 1) == "manual-intervention:7:1"
    assert dedupe_key(InterruptionKind.GUIDED_FAILURE, 7, 1) != dedupe_key(InterruptionKind.MANUAL_INTERVENTION, 7, 1)


def test_a_pending_interruption_has_no_outcome_and_an_unusable_link_says_why():
    assert make_interruption().is_pending
    error = LinkNotUsable("the link is expired", LinkStatus.EXPIRED)
    assert (error.status, error.field, error.code) == (LinkStatus.EXPIRED, "token", "link_not_usable")
