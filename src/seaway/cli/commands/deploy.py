from __future__ import annotations

import typer

from seaway.cli.client import segment
from seaway.cli.commands.releases import parse_pairs
from seaway.cli.commands.tasks import exit_code_for, follow, summary
from seaway.cli.context import client
from seaway.cli.output import out


def register(app: typer.Typer) -> None:
    @app.command("deploy")
    def deploy(
        project: str = typer.Option(..., "--project", help="Project name or id."),
        release: str = typer.Option(..., "--release", help="Release version."),
        to: str = typer.Option(..., "--to", help="Environment name."),
        variable: list[str] = typer.Option([], "--variable", help="K=V for a prompted variable, repeatable."),
        comments: str = typer.Option("", "--comments", help="A comment kept with the deployment."),
        wait: bool = typer.Option(False, "--wait", help="Stream the log; exit 0 on success, 1 otherwise."),
    ) -> None:
        """Deploy a release to an environment; prints the deployment and task ids."""
        variables = parse_pairs(variable, "--variable", "=")
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
