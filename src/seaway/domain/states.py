"""Task and step states and the table of legal transitions. Every state change is checked against it."""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    QUEUED = "queued"
    EXECUTING = "executing"
    WAITING = "waiting"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELED = "canceled"


class StepState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELED = "canceled"


TERMINAL_TASK_STATES: frozenset[TaskState] = frozenset({TaskState.SUCCESS, TaskState.FAILED, TaskState.CANCELED})
TERMINAL_STEP_STATES: frozenset[StepState] = frozenset(
    {StepState.SUCCEEDED, StepState.FAILED, StepState.SKIPPED, StepState.CANCELED}
)

TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    # A queued task fails without starting when its change request is rejected.
    TaskState.QUEUED: frozenset({TaskState.EXECUTING, TaskState.CANCELED, TaskState.FAILED}),
    TaskState.EXECUTING: frozenset(
        {TaskState.WAITING, TaskState.SUCCESS, TaskState.FAILED, TaskState.CANCELED, TaskState.QUEUED}
    ),
    TaskState.WAITING: frozenset({TaskState.EXECUTING, TaskState.CANCELED, TaskState.FAILED}),
    TaskState.SUCCESS: frozenset(),
    TaskState.FAILED: frozenset(),
    TaskState.CANCELED: frozenset(),
}

STEP_TRANSITIONS: dict[StepState, frozenset[StepState]] = {
    StepState.PENDING: frozenset({StepState.RUNNING, StepState.SKIPPED, StepState.CANCELED}),
    # running → running: a step re-run after its node died (steps are at-least-once)
    StepState.RUNNING: frozenset(
        {StepState.RUNNING, StepState.WAITING, StepState.SUCCEEDED, StepState.FAILED, StepState.CANCELED}
    ),
    StepState.WAITING: frozenset({StepState.SUCCEEDED, StepState.FAILED, StepState.CANCELED}),
    StepState.SUCCEEDED: frozenset(),
    StepState.FAILED: frozenset(),
    StepState.SKIPPED: frozenset(),
    StepState.CANCELED: frozenset(),
}


def task_transition_allowed(from_state: TaskState, to_state: TaskState) -> bool:
    return to_state in TASK_TRANSITIONS[from_state]


def step_transition_allowed(from_state: StepState, to_state: StepState) -> bool:
    return to_state in STEP_TRANSITIONS[from_state]


def mermaid_diagram() -> str:
    """The task state diagram, generated from the table (docs/architecture.md embeds it)."""
    lines = ["stateDiagram-v2", "    [*] --> queued"]
    for source, targets in TASK_TRANSITIONS.items():
        lines.extend(f"    {source} --> {target}" for target in sorted(targets))
    lines.extend(f"    {state} --> [*]" for state in sorted(TERMINAL_TASK_STATES))
    return "\n".join(lines)
