"""Merging approval policies and counting their quorum: examples, and Hypothesis properties."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.policies import (
    ApprovalPolicy,
    QuorumClause,
    applies_to,
    eligible,
    impossibility,
    matching,
    merge,
    tally,
)
from seaway.domain.users import Team

PEOPLE = ["ann", "ben", "cat", "dan", "eve"]
TEAM_NAMES = ["Release Managers", "Security", "Stakeholders"]

teams_strategy = st.tuples(*(st.sets(st.sampled_from(PEOPLE)) for _ in TEAM_NAMES)).map(
    lambda members: [Team(name, tuple(sorted(m))) for name, m in zip(TEAM_NAMES, members, strict=True)]
)
clauses = st.builds(QuorumClause, st.sampled_from(TEAM_NAMES), st.integers(1, 3))
policies = st.builds(
    ApprovalPolicy,
    name=st.sampled_from(["A", "B", "C", "D"]),
    teams=st.lists(st.sampled_from(TEAM_NAMES), max_size=2).map(tuple),
    users=st.lists(st.sampled_from(PEOPLE), max_size=2).map(tuple),
    minimum=st.integers(1, 4),
    block_deployment_creator=st.booleans(),
    quorum=st.lists(clauses, max_size=2).map(tuple),
)
deployers = st.none() | st.sampled_from(PEOPLE)


def test_every_matching_policy_applies_merged():
    prod = ApprovalPolicy("Prod", environments=("Prod",), teams=("Stakeholders",), minimum=2)
    quotes = ApprovalPolicy(
        "Quotes", projects=("quotes",), users=("eve",), block_deployment_creator=False,
        quorum=(QuorumClause("Security", 1),),
    )  # fmt: skip
    merged = matching([prod, quotes], "Quotes", "prod")
    assert merged is not None
    assert merged.policies == ("Prod", "Quotes")
    assert (merged.teams, merged.users, merged.minimum) == (("Stakeholders",), ("eve",), 2)
    assert merged.block_deployment_creator is True
    assert merged.quorum == (QuorumClause("Security", 1),)
    assert matching([prod], "Quotes", "Test") is None
    assert applies_to(ApprovalPolicy("Everything", teams=("x",)), "Any", "Where")


def test_one_person_counts_once_whatever_their_teams():
    teams = [Team("Release Managers", ("ann", "ben")), Team("Security", ("ann",))]
    merged = merge([ApprovalPolicy("P", teams=("Release Managers", "Security"), users=("ann",), minimum=2)])
    assert merged is not None
    assert tally(merged, ["ann", "ANN", "ann"], teams, None).have == 1
    assert tally(merged, ["ann", "ben"], teams, None).approved


def test_quorum_clauses_are_each_needed_besides_the_minimum():
    teams = [Team("Release Managers", ("ann", "ben", "cat")), Team("Security", ("dan",))]
    merged = merge(
        [ApprovalPolicy("P", minimum=2, quorum=(QuorumClause("Release Managers", 2), QuorumClause("Security", 1)))]
    )
    assert merged is not None
    assert not tally(merged, ["ann", "ben"], teams, None).approved  # Security has not approved
    progress = tally(merged, ["ann", "dan"], teams, None)
    assert not progress.approved and progress.still_needed == 1
    assert tally(merged, ["ann", "ben", "dan"], teams, None).approved


def test_an_impossible_quorum_says_which_clause():
    teams = [Team("Release Managers", ("ann", "ben"))]
    merged = merge([ApprovalPolicy("P", quorum=(QuorumClause("Release Managers", 2),))])
    assert merged is not None
    assert impossibility(merged, teams, None) is None
    why = impossibility(merged, teams, "ann")
    assert why is not None and '2 approvals from "Release Managers"' in why and "other than the deployer" in why


@given(st.lists(policies, min_size=1, max_size=4), st.randoms())
def test_merging_is_order_independent(listed, random):
    shuffled = list(listed)
    random.shuffle(shuffled)
    assert merge(listed) == merge(shuffled)


@given(
    st.lists(policies, min_size=1, max_size=3),
    teams_strategy,
    st.sampled_from(PEOPLE),
    st.sets(st.sampled_from(PEOPLE)),
)
def test_the_deployers_decision_never_counts_when_blocked(listed, teams, deployer, others):
    merged = merge(listed)
    assert merged is not None
    if merged.block_deployment_creator:
        assert deployer not in eligible(merged, teams, deployer)
        without = tally(merged, others - {deployer}, teams, deployer)
        assert tally(merged, others | {deployer}, teams, deployer) == without


@given(
    st.lists(policies, min_size=1, max_size=3),
    teams_strategy,
    deployers,
    st.sets(st.sampled_from(PEOPLE)),
    st.sampled_from(PEOPLE),
)
def test_adding_an_approval_never_unapproves(listed, teams, deployer, approved_by, another):
    merged = merge(listed)
    assert merged is not None
    if tally(merged, approved_by, teams, deployer).approved:
        assert tally(merged, approved_by | {another}, teams, deployer).approved


@given(st.lists(policies, min_size=1, max_size=3), teams_strategy, deployers)
def test_impossible_exactly_when_no_set_of_eligible_approvers_meets_it(listed, teams, deployer):
    merged = merge(listed)
    assert merged is not None
    candidates = sorted(eligible(merged, teams, deployer))
    some_set_meets = any(
        tally(merged, chosen, teams, deployer).approved
        for size in range(len(candidates) + 1)
        for chosen in combinations(candidates, size)
    )
    assert (impossibility(merged, teams, deployer) is None) == some_set_meets
