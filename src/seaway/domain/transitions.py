"""The rules every task state change passes, and the single entry point that applies them.

Rules are small classes named as imperative phrases. Each declares the states it governs and returns a
`Decision`: `Accept`, `Reject(reason)` or `Wait(until)`. The engine is the only caller of `transition()`;
the web layer proposes (cancel, approve, reject) and the engine decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from seaway.domain.events import DomainEvent, TaskStateChanged
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState, task_transition_allowed
from seaway.domain.tasks import Task
from seaway.errors import InvalidTransition


@dataclass(frozen=True)
class Accept:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str


@dataclass(frozen=True)
class Wait:
    until: datetime | None
    reason: str = ""


Decision = Accept | Reject | Wait


@dataclass(frozen=True)
class Proposal:
    to_state: TaskState
    error: str | None = None
    error_detail: str | None = None


class Rule:
    FROM: ClassVar[frozenset[TaskState]]
    TO: ClassVar[frozenset[TaskState]]

    def applies(self, task: Task, proposal: Proposal) -> bool:
        return task.state in self.FROM and proposal.to_state in self.TO

    def check(self, task: Task, proposal: Proposal, now: datetime) -> Decision:
        raise NotImplementedError


class PreventLeavingTerminalState(Rule):
    FROM = frozenset(TERMINAL_TASK_STATES)
    TO = frozenset(TaskState)

    def check(self, task: Task, proposal: Proposal, now: datetime) -> Decision:
        return Reject(f"the task is already {task.state}")


class FollowTheStateTable(Rule):
    FROM = frozenset(TaskState)
    TO = frozenset(TaskState)

    def check(self, task: Task, proposal: Proposal, now: datetime) -> Decision:
        if task_transition_allowed(task.state, proposal.to_state):
            return Accept()
        return Reject(f"a task cannot go from {task.state} to {proposal.to_state}")


class RequireCancelRequestToCancel(Rule):
    """Only a cancel request ends a task as canceled (a rejected approval fails it instead)."""

    FROM = frozenset({TaskState.QUEUED, TaskState.EXECUTING, TaskState.WAITING})
    TO = frozenset({TaskState.CANCELED})

    def check(self, task: Task, proposal: Proposal, now: datetime) -> Decision:
        return Accept() if task.cancel_requested else Reject("nobody asked to cancel the task")


class StopStartingCanceledTasks(Rule):
    FROM = frozenset({TaskState.QUEUED, TaskState.WAITING})
    TO = frozenset({TaskState.EXECUTING})

    def check(self, task: Task, proposal: Proposal, now: datetime) -> Decision:
        return Reject("the task was asked to cancel") if task.cancel_requested else Accept()


POLICY: tuple[Rule, ...] = (
    PreventLeavingTerminalState(),
    FollowTheStateTable(),
    RequireCancelRequestToCancel(),
    StopStartingCanceledTasks(),
)


def decide(task: Task, proposal: Proposal, now: datetime, policy: Sequence[Rule] = POLICY) -> Decision:
    for rule in policy:
        if rule.applies(task, proposal):
            decision = rule.check(task, proposal, now)
            if not isinstance(decision, Accept):
                return decision
    return Accept()


def transition(
    task: Task, proposal: Proposal, now: datetime, policy: Sequence[Rule] = POLICY
) -> tuple[Task, list[DomainEvent]]:
    """Apply `proposal` to `task` or raise InvalidTransition; returns the new task and its events."""
    decision = decide(task, proposal, now, policy)
    if isinstance(decision, Reject):
        raise InvalidTransition(
            decision.reason, from_state=task.state, to_state=proposal.to_state, entity="task", id=str(task.id)
        )
    if isinstance(decision, Wait):
        waiting = replace(task, state=TaskState.WAITING)
        return waiting, [TaskStateChanged(task.id, task.state, TaskState.WAITING, now)]
    changes: dict[str, object] = {"state": proposal.to_state}
    if proposal.to_state is TaskState.EXECUTING and task.started_at is None:
        changes["started_at"] = now
    if proposal.to_state in TERMINAL_TASK_STATES:
        changes["finished_at"] = now
        if proposal.error is not None:
            changes["error"] = proposal.error
            changes["error_detail"] = proposal.error_detail
    new_task = replace(task, **changes)  # type: ignore[arg-type]
    return new_task, [TaskStateChanged(task.id, task.state, proposal.to_state, now)]
