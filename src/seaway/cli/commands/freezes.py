"""`seaway override-freeze`: let one deployment start through the freeze that holds it."""

from __future__ import annotations

import typer

from seaway.cli.client import segment
from seaway.cli.context import client
from seaway.cli.output import out
from seaway.errors import InvalidInput


def register(app: typer.Typer) -> None:
    @app.command("override-freeze")
    def override_freeze(
        deployment: str = typer.Argument(..., metavar="DEPLOYMENT", help="Deployments-<n> (or <n>)."),
        reason: str = typer.Option(..., "--reason", help="Why it may go through; audited and emailed."),
    ) -> None:
        """Let a deployment held by a freeze start (needs freeze.override); its approvers are told."""
        if not reason.strip():
            raise InvalidInput("--reason must say why the freeze is overridden", field="--reason")
        with client() as api:
            done = api.post(f"/deployments/{segment(deployment)}/freeze-override", json={"reason": reason})
        frozen = ", ".join(done["freezes"])
        message = f"{done['deployment_id']}: freeze {frozen} overridden; it starts unless something else holds it"
        out.print(message, markup=False)
