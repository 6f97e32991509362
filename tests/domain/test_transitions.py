"""Every task state change passes the rules, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.states import (
    TASK_TRANSITIONS,
    TERMINAL_STEP_STATES,
    TERMINAL_TASK_STATES,
    StepState,
    TaskState,
    mermaid_diagram,
    step_transition_allowed,
    task_transition_allowed,
)
from seaway.domain.tasks import Task
from seaway.domain.transitions import (
    Accept,
    FollowTheStateTable,
    PreventLeavingTerminalState,
    Proposal,
    Reject,
    RequireCancelRequestToCancel,
    Rule,
    StopStartingCanceledTasks,
    Wait,
    decide,
    transition,
)
from seaway.errors import InvalidTransition

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def task(state: TaskState, **fields) -> Task:
    return Task(id=1, deployment_id=1, state=state, queued_at=NOW, **fields)


def test_a_terminal_task_never_changes():
    assert isinstance(
        PreventLeavingTerminalState().check(task(TaskState.SUCCESS), Proposal(TaskState.EXECUTING), NOW), Reject
    )


def test_the_state_table_is_followed():
    rule = FollowTheStateTable()
    assert isinstance(rule.check(task(TaskState.QUEUED), Proposal(TaskState.EXECUTING), NOW), Accept)
    assert isinstance(rule.check(task(TaskState.QUEUED), Proposal(TaskState.SUCCESS), NOW), Reject)


def test_only_a_cancel_request_cancels():
    rule = RequireCancelRequestToCancel()
    assert isinstance(rule.check(task(TaskState.EXECUTING), Proposal(TaskState.CANCELED), NOW), Reject)
    assert isinstance(
        rule.check(task(TaskState.EXECUTING, cancel_requested=True), Proposal(TaskState.CANCELED), NOW), Accept
    )


def test_a_task_asked_to_cancel_does_not_start():
    rule = StopStartingCanceledTasks()
    assert isinstance(
        rule.check(task(TaskState.QUEUED, cancel_requested=True), Proposal(TaskState.EXECUTING), NOW), Reject
    )
    assert isinstance(rule.check(task(TaskState.QUEUED), Proposal(TaskState.EXECUTING), NOW), Accept)


def test_transition_stamps_start_and_finish_and_keeps_the_error():
    started, events = transition(task(TaskState.QUEUED), Proposal(TaskState.EXECUTING), NOW)
    assert started.state is TaskState.EXECUTING and started.started_at == NOW
    assert events[0].from_state is TaskState.QUEUED
    failed, _ = transition(started, Proposal(TaskState.FAILED, error="boom", error_detail="detail"), NOW)
    assert (failed.finished_at, failed.error, failed.error_detail) == (NOW, "boom", "detail")
    succeeded, _ = transition(started, Proposal(TaskState.SUCCESS), NOW)
    assert (succeeded.finished_at, succeeded.error) == (NOW, None)


def test_an_illegal_transition_raises_with_both_states():
    with pytest.raises(InvalidTransition) as error:
        transition(task(TaskState.SUCCESS), Proposal(TaskState.EXECUTING), NOW)
    assert (error.value.from_state, error.value.to_state) == (TaskState.SUCCESS, TaskState.EXECUTING)


def test_a_wait_decision_moves_the_task_to_waiting():
    class WaitForWindow(Rule):
        FROM = frozenset({TaskState.EXECUTING})
        TO = frozenset({TaskState.SUCCESS})

        def check(self, task, proposal, now):
            return Wait(until=None, reason="window")

    waiting, _ = transition(task(TaskState.EXECUTING), Proposal(TaskState.SUCCESS), NOW, policy=(WaitForWindow(),))
    assert waiting.state is TaskState.WAITING
    assert decide(task(TaskState.QUEUED), Proposal(TaskState.EXECUTING), NOW, policy=(WaitForWindow(),)) == Accept()


def test_the_base_rule_must_be_specialised():
    with pytest.raises(NotImplementedError):
        Rule().check(task(TaskState.QUEUED), Proposal(TaskState.EXECUTING), NOW)


@given(st.sampled_from(list(TaskState)), st.sampled_from(list(TaskState)))
def test_decide_accepts_exactly_the_table_for_tasks_without_a_cancel_request(source, target):
    accepted = isinstance(decide(task(source), Proposal(target), NOW), Accept)
    expected = task_transition_allowed(source, target) and target is not TaskState.CANCELED
    assert accepted == expected


def test_terminal_states_have_no_way_out():
    for state in TERMINAL_TASK_STATES:
        assert TASK_TRANSITIONS[state] == frozenset()
    for state in TERMINAL_STEP_STATES:
        assert not any(step_transition_allowed(state, other) for other in StepState)
    assert step_transition_allowed(StepState.RUNNING, StepState.RUNNING)


def test_the_diagram_lists_every_transition():
    diagram = mermaid_diagram()
    for source, targets in TASK_TRANSITIONS.items():
        for target in targets:
            assert f"{source} --> {target}" in diagram
