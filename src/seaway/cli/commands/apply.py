from __future__ import annotations

from pathlib import Path

import typer

from seaway.cli.context import client
from seaway.cli.output import out
from seaway.errors import InvalidInput


def register(app: typer.Typer) -> None:
    @app.command("apply")
    def apply_command(file: Path = typer.Argument(..., help="The YAML document to apply.")) -> None:
        """Apply a config-as-code document: create or update by name; a bad document changes nothing."""
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
        with client() as api:
            result = api.post("/config/apply", content=text.encode(), headers={"Content-Type": "application/yaml"})
        for kind in ("created", "updated"):
            for item in result.get(kind, []):
                out.print(f"{kind}: {item}")
        out.print(f"unchanged: {len(result.get('unchanged', []))}")
        for warning in result.get("warnings", []):
            out.print(f"warning: {warning}")
