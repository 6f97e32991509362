"""`seaway export [--project P]`: the config-as-code document of the space, read through the API."""

from __future__ import annotations

from pathlib import Path

import typer

from seaway.cli.context import client
from seaway.config.export import to_yaml
from seaway.errors import InvalidInput


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_command(
        project: str | None = typer.Option(None, "--project", help="Only this project."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    ) -> None:
        """Write the space (or one project) as the YAML document `seaway apply` accepts.

        Holds what your API key may view; sensitive values, account secrets and feed passwords are written as
        `{stored: true}`, the value this server holds, never in clear."""
        with client() as api:
            document = api.get("/export", params={"project": project} if project else None)
        text = to_yaml(document)
        if output is None:
            typer.echo(text, nl=False)  # as written: rich markup would read `[1.0,2.0)` as a tag
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None
