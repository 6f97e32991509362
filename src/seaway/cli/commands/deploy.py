from __future__ import annotations

from typing import Any

import typer

from seaway.cli.client import segment
from seaway.cli.commands.releases import parse_pairs
from seaway.cli.commands.tasks import exit_code_for, follow, summary
from seaway.cli.context import client
from seaway.cli.output import out
from seaway.errors import InvalidInput


def show_preview(project: str, release: str, to: str) -> None:
    with client() as api:
        seen = api.get("/deployments/preview", params={"project": project, "release": release, "environment": to})
    where = f"{seen['project']} {seen['release']} to {seen['environment']}"
    if seen.get("freeze"):
        out.print(f"{where}: {seen['freeze']['message']}", markup=False)
    if not seen["gated"]:
        out.print(f"{where}: no approval policy applies; it would start at once", markup=False)
        return
    policy = seen["policy"]
    clauses = "".join(f", {c['minimum']} from {c['team']}" for c in policy["quorum"])
    out.print(f"{where}: gated by {', '.join(policy['policies'])}", markup=False)
    out.print(f"needs {policy['minimum']} approvals{clauses}", markup=False)
    out.print(f"who can approve: {', '.join(seen['approvers']) or 'nobody'}", markup=False)
    for timeout in policy.get("timeouts") or ():
        then = f"escalates to {', '.join(timeout['escalate_to'])}" if timeout["action"] == "escalate" else "rejects"
        out.print(f"undecided after {timeout['after']}, {timeout['policy']} {then}", markup=False)
    if policy.get("remind_every"):
        out.print(f"reminds the approvers who have not decided every {policy['remind_every']}", markup=False)
    if seen.get("change_window"):
        _show_window(where, seen["change_window"])
    if not seen["possible"]:
        raise InvalidInput(f"{where} could never start: {seen['impossible']}", field="--preview")


def _show_window(where: str, window: dict[str, Any]) -> None:
    shown = "; ".join(window["windows"])
    if window["open"]:
        out.print(f"change window: open now ({shown})", markup=False)
    elif window["opens_at"]:
        out.print(f"change window: closed, opens {window['opens_at']} ({window['waiting_for']})", markup=False)
    else:
        message = f"{where} could never start: its change window has no future opening ({shown})"
        raise InvalidInput(message, field="--preview")


def register(app: typer.Typer) -> None:
    @app.command("deploy")
    def deploy(
        project: str = typer.Option(..., "--project", help="Project name or id."),
        release: str = typer.Option(..., "--release", help="Release version."),
        to: str = typer.Option(..., "--to", help="Environment name."),
        variable: list[str] = typer.Option([], "--variable", help="K=V for a prompted variable, repeatable."),
        comments: str = typer.Option("", "--comments", help="A comment kept with the deployment."),
        wait: bool = typer.Option(False, "--wait", help="Stream the log; exit 0 on success, 1 otherwise."),
        preview: bool = typer.Option(
            False,
            "--preview",
            help="Deploy nothing: the policies that apply, who can approve; exit 2 if nobody can.",
        ),
    ) -> None:
        """Deploy a release to an environment; prints the deployment and task ids."""
        variables = parse_pairs(variable, "--variable", "=")
        if preview:
            show_preview(project, release, to)
            return
        with client() as api:
            found = api.get(f"/projects/{segment(project)}/releases/{segment(release)}")
            deployment = api.post(
                f"/releases/{segment(found['id'])}/deployments",
                json={"environment": to, "variables": variables, "comments": comments},
            )
            out.print(f"{deployment['id']} {deployment['task_id']}", markup=False)
            if wait:
                state = follow(api, deployment["task_id"])
                summary(api.get(f"/tasks/{segment(deployment['task_id'])}"))
                raise typer.Exit(exit_code_for(state))
