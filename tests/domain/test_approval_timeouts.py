"""A policy's timeout and reminders: read from YAML with the bad field named, merged order-independently,
recorded in the merged policy (and old records without them still read), and bounding the emailed links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.config.documents import load_text
from seaway.config.policy_documents import parse_policy
from seaway.config.reader import Node
from seaway.domain.approval_timeouts import (
    ApprovalTimeout,
    PolicyTimeout,
    TimeoutAction,
    document_keys,
    link_expiry,
    reject_deadline,
    timed_out_reason,
)
from seaway.domain.change_requests import ChangeRequest
from seaway.domain.policies import (
    ApprovalPolicy,
    QuorumClause,
    eligible,
    merge,
    merged_from_json,
    merged_to_json,
    tally,
    validate_policy,
)
from seaway.domain.users import Team
from seaway.errors import InvalidInput

BASE = """
name: Prod
approvers: {teams: [Stakeholders]}
"""


def _policy(extra: str) -> ApprovalPolicy:
    return parse_policy(Node(load_text(BASE + extra), "approval_policies[0]"))


def test_timeout_and_reminders_are_read_from_yaml():
    policy = _policy("timeout: {after: 24h, action: escalate, escalate_to: [Release Managers]}\nreminders: {every: 4h}")
    assert policy.timeout == ApprovalTimeout(timedelta(hours=24), TimeoutAction.ESCALATE, ("Release Managers",))
    assert policy.remind_every == timedelta(hours=4)
    rejecting = _policy("timeout: {after: 2d, action: reject}")
    assert rejecting.timeout == ApprovalTimeout(timedelta(days=2), TimeoutAction.REJECT)
    assert rejecting.remind_every is None
    assert _policy("timeout: {after: 1h30m, action: escalate, escalate_to: Security}").timeout == ApprovalTimeout(
        timedelta(minutes=90), TimeoutAction.ESCALATE, ("Security",)
    )


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ("timeout: {after: 24h, action: escalate}", "timeout.escalate_to", "teams to escalate to"),
        ("timeout: {after: 24h, action: reject, escalate_to: [Ops]}", "timeout.escalate_to", "only a timeout"),
        ("timeout: {after: 0m, action: reject}", "timeout.after", "from 1m to 60d"),
        ("timeout: {after: 61d, action: reject}", "timeout.after", "from 1m to 60d"),
        ("timeout: {after: 99999999999d, action: reject}", "timeout.after", "from 1m to 60d"),
        ("timeout: {after: soon, action: reject}", "timeout.after", "not an interval"),
        ("timeout: {after: 24h, action: approve}", "timeout.action", "expected reject or escalate"),
        ("timeout: {after: 24h}", "timeout.action", "is required"),
        ("timeout: {after: 24h, action: reject, when: never}", "timeout.when", "unknown key"),
        ("reminders: {every: 1m}", "reminders.every", "from 5m to 31d"),
        ("reminders: {}", "reminders.every", "is required"),
        ("reminders: 4h", "reminders", "expected a mapping"),
    ],
)
def test_a_bad_timeout_names_its_field(extra, field, says):
    with pytest.raises(InvalidInput) as refused:
        _policy(extra)
    assert refused.value.field == f"approval_policies[0].{field}"
    assert says in refused.value.message


def test_validation_of_a_policy_built_in_code_names_the_field_too():
    escalating = ApprovalPolicy("P", teams=("T",), timeout=ApprovalTimeout(timedelta(hours=1), TimeoutAction.ESCALATE))
    with pytest.raises(InvalidInput) as refused:
        validate_policy(escalating, path="policy")
    assert refused.value.field == "policy.timeout.escalate_to"
    too_soon = ApprovalPolicy("P", teams=("T",), remind_every=timedelta(seconds=30))
    with pytest.raises(InvalidInput) as refused:
        validate_policy(too_soon)
    assert refused.value.field == "reminders.every"


DAY = ApprovalTimeout(timedelta(days=1), TimeoutAction.ESCALATE, ("Release Managers",))
HOURS = ApprovalTimeout(timedelta(hours=8), TimeoutAction.REJECT)


def test_merging_keeps_every_timeout_and_the_shortest_reminders():
    a = ApprovalPolicy("B policy", teams=("T",), timeout=DAY, remind_every=timedelta(hours=4))
    b = ApprovalPolicy("a policy", teams=("T",), timeout=HOURS, remind_every=timedelta(hours=1))
    c = ApprovalPolicy("C policy", teams=("T",))
    merged = merge([a, b, c])
    assert merged is not None
    assert merged.timeouts == (PolicyTimeout("a policy", HOURS), PolicyTimeout("B policy", DAY))
    assert merged.remind_every == timedelta(hours=1)
    alone = merge([c])
    assert alone is not None and alone.timeouts == () and alone.remind_every is None


timeouts = (
    st.none()
    | st.builds(
        ApprovalTimeout,
        st.sampled_from([timedelta(hours=1), timedelta(hours=8), timedelta(days=1)]),
        st.just(TimeoutAction.ESCALATE),
        st.lists(st.sampled_from(["Ops", "Security"]), min_size=1, max_size=2).map(tuple),
    )
    | st.builds(
        ApprovalTimeout, st.sampled_from([timedelta(hours=2), timedelta(days=3)]), st.just(TimeoutAction.REJECT)
    )
)
policies = st.builds(
    ApprovalPolicy,
    name=st.sampled_from(["A", "B", "C"]),
    teams=st.just(("T",)),
    timeout=timeouts,
    remind_every=st.none() | st.sampled_from([timedelta(hours=1), timedelta(hours=4)]),
)


@given(st.lists(policies, min_size=1, max_size=4), st.randoms())
def test_merging_timeouts_is_order_independent(listed, random):
    shuffled = list(listed)
    random.shuffle(shuffled)
    assert merge(listed) == merge(shuffled)


@given(st.lists(policies, min_size=1, max_size=4))
def test_a_merged_policy_reads_back_as_it_was_written(listed):
    merged = merge(listed)
    assert merged is not None
    assert merged_from_json(merged_to_json(merged)) == merged


def test_a_record_made_before_timeouts_existed_still_reads_and_hashes_alike():
    old = {"policies": ["P"], "teams": ["T"], "users": [], "minimum": 1, "block_deployment_creator": True, "quorum": []}
    merged = merged_from_json(old)
    assert merged.timeouts == () and merged.remind_every is None
    assert merged_to_json(merged) == old  # unchanged keys: `bound_content` of old requests is unchanged


CREATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_links_never_outlive_the_earliest_reject_timeout():
    both = (PolicyTimeout("A", DAY), PolicyTimeout("B", HOURS))
    assert reject_deadline(both, CREATED) == CREATED + timedelta(hours=8)
    later = CREATED + timedelta(hours=6)
    assert link_expiry(both, CREATED, later, timedelta(hours=72)) == CREATED + timedelta(hours=8)
    assert link_expiry(both, CREATED, CREATED, timedelta(hours=1)) == CREATED + timedelta(hours=1)
    escalating_only = (PolicyTimeout("A", DAY),)  # escalating does not end the request: the links go on
    assert reject_deadline(escalating_only, CREATED) is None
    assert link_expiry(escalating_only, CREATED, later, timedelta(hours=72)) == later + timedelta(hours=72)
    assert timed_out_reason("SEA-4", PolicyTimeout("Prod", DAY)) == "SEA-4 timed out after 1d under Prod"


def test_escalated_teams_approve_and_count_but_the_quorum_stays():
    teams = [Team("Stakeholders", ("ann", "ben")), Team("Release Managers", ("cat", "ann", "dan"))]
    merged = merge([ApprovalPolicy("P", teams=("Stakeholders",), minimum=2, quorum=(QuorumClause("Stakeholders", 1),))])
    assert merged is not None
    request = ChangeRequest(1, 1, "Q", "Prod", "1.0", merged, CREATED, requested_by_username="dan")
    assert request.effective_policy == merged
    escalated = ChangeRequest(
        1, 1, "Q", "Prod", "1.0", merged, CREATED, requested_by_username="dan", escalated_teams=("Release Managers",)
    )
    gate = escalated.effective_policy
    assert gate.teams == ("Stakeholders", "Release Managers") and gate.minimum == 2 and gate.quorum == merged.quorum
    assert eligible(gate, teams, "dan") == {"ann", "ben", "cat"}  # the deployer stays blocked
    assert not tally(gate, ["cat", "dan"], teams, "dan").approved  # dan never counts; the clause is unmet
    assert tally(gate, ["cat", "ben"], teams, "dan").approved


def test_the_document_writes_back_what_was_read():
    assert document_keys(DAY, timedelta(hours=4)) == {
        "timeout": {"after": "1d", "action": "escalate", "escalate_to": ["Release Managers"]},
        "reminders": {"every": "4h"},
    }
    assert document_keys(HOURS, None) == {"timeout": {"after": "8h", "action": "reject"}}
    assert document_keys(None, None) == {}
