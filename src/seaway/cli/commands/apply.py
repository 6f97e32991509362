from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import typer

from seaway.cli.context import client
from seaway.cli.output import out
from seaway.config.documents import load_text
from seaway.config.key_files import inline_key_files
from seaway.errors import InvalidInput


def _json_value(value: object) -> str:
    if isinstance(value, date | datetime):  # YAML reads an unquoted timestamp as one
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def register(app: typer.Typer) -> None:
    @app.command("apply")
    def apply_command(file: Path = typer.Argument(..., help="The YAML document to apply.")) -> None:
        """Apply a config-as-code document: create or update by name; a bad document changes nothing.

        Accounts' `private_key_file` paths are read here, relative to the document's directory, and sent
        as the keys' text: the server reads no files."""
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
        content, content_type = text.encode(), "application/yaml"
        data, inlined = inline_key_files(load_text(text), file.resolve().parent)
        if inlined:
            content, content_type = json.dumps(data, default=_json_value).encode(), "application/json"
        with client() as api:
            result = api.post("/config/apply", content=content, headers={"Content-Type": content_type})
        for kind in ("created", "updated"):
            for item in result.get(kind, []):
                out.print(f"{kind}: {item}")
        out.print(f"unchanged: {len(result.get('unchanged', []))}")
        for warning in result.get("warnings", []):
            out.print(f"warning: {warning}")
