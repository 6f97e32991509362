"""`seaway task …` and the waiting/streaming that `seaway deploy --wait` shares."""

from __future__ import annotations

import time
from typing import Any

import typer

from seaway.cli.client import SeawayClient, segment
from seaway.cli.context import client
from seaway.cli.output import EXIT_FAILED, EXIT_OK, ReportingGroup, out
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.errors import InvalidInput

app = typer.Typer(help="Server tasks (a deployment runs as a task).", no_args_is_help=True, cls=ReportingGroup)

LOG_PAGE_LINES = 10_000  # the most the server answers per request


def exit_code_for(state: str) -> int:
    return EXIT_OK if state == TaskState.SUCCESS else EXIT_FAILED


def print_line(line: dict[str, Any]) -> None:
    at = (line.get("at") or "")[11:19]
    level = line.get("level", "info")
    marker = {"error": "!", "warning": "~"}.get(level, " ")
    out.print(f"{at} {marker} {line.get('message', '')}", markup=False)


def follow(api: SeawayClient, task_id: str) -> str:
    """Print the log as it is written until the task ends; returns the final state."""
    state: str = TaskState.QUEUED
    for event, data in api.stream_events(f"/tasks/{segment(task_id)}/log/stream"):
        if event == "log":
            print_line(data)
        elif event == "state":
            state = data.get("state", state)
            if state == TaskState.WAITING:
                task = api.get(f"/tasks/{segment(task_id)}")
                waiting = ", ".join(task.get("waiting_for") or []) or "a decision"
                out.print(f"Waiting for {waiting}", markup=False)
        elif event == "end":
            break
    return str(api.get(f"/tasks/{segment(task_id)}")["state"])


def summary(task: dict[str, Any]) -> None:
    out.print(f"{task['id']}  {task['state']}", markup=False)
    if task.get("error"):
        out.print(f"error: {task['error']}", markup=False)
    for step in task.get("steps", []):
        extra = (
            f" ({step['skip_reason']})"
            if step.get("skip_reason")
            else (f" — {step['error']}" if step.get("error") else "")
        )
        out.print(f"  {step['number']}. {step['name']}: {step['state']}{extra}", markup=False)


@app.command("show")
def show(task_id: str = typer.Argument(..., help="ServerTasks-<n>")) -> None:
    """The task's state, error and steps."""
    with client() as api:
        summary(api.get(f"/tasks/{segment(task_id)}"))


@app.command("log")
def log(
    task_id: str = typer.Argument(..., help="ServerTasks-<n>"),
    follow_log: bool = typer.Option(False, "--follow", "-f", help="Keep printing until the task ends."),
    page_size: int = typer.Option(
        LOG_PAGE_LINES, "--page-size", min=1, max=LOG_PAGE_LINES, help="Lines fetched per request."
    ),
) -> None:
    """Print the whole task log."""
    with client() as api:
        if follow_log:
            follow(api, task_id)
            return
        for page in api.pages_of_log(task_id, page_size):
            for line in page:
                print_line(line)


@app.command("wait")
def wait(
    task_id: str = typer.Argument(..., help="ServerTasks-<n>"),
    timeout: float | None = typer.Option(None, "--timeout", help="Give up after this many seconds (exit 1)."),
) -> None:
    """Wait for the task to end; exit 0 on success, 1 otherwise."""
    if timeout is not None and timeout <= 0:
        raise InvalidInput("--timeout must be a positive number of seconds", field="--timeout")
    deadline = None if timeout is None else time.monotonic() + timeout
    with client() as api:
        while True:
            task = api.get(f"/tasks/{segment(task_id)}")
            if task["state"] in TERMINAL_TASK_STATES:
                summary(task)
                raise typer.Exit(exit_code_for(task["state"]))
            if deadline is not None and time.monotonic() >= deadline:
                out.print(f"{task['id']} is still {task['state']} after {timeout:g} seconds", markup=False)
                raise typer.Exit(EXIT_FAILED)
            time.sleep(0.5)  # polling the server; the log stream is the push-based alternative


@app.command("cancel")
def cancel(task_id: str = typer.Argument(..., help="ServerTasks-<n>")) -> None:
    """Ask the server to cancel the task (a running script is terminated)."""
    with client() as api:
        task = api.post(f"/tasks/{segment(task_id)}/cancel")
    out.print(f"{task['id']} cancel requested ({task['state']})", markup=False)
