"""`seaway template render`: evaluate a template file locally, the way a deployment would."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from seaway.cli.output import ReportingGroup
from seaway.domain.templates import VariableSet, evaluate_with_errors, parse
from seaway.engine.clock import SystemClock
from seaway.errors import InvalidInput

app = typer.Typer(
    help="Octopus-style templates (#{Variable}, filters, #{if}, #{each}).", no_args_is_help=True, cls=ReportingGroup
)


@app.callback()
def _group() -> None:
    """Octopus-style templates (#{Variable}, filters, #{if}, #{each})."""


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{what} {path} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} {path} is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _json_variables(path: Path) -> list[tuple[str, str | None]]:
    """A JSON object's members as variables; non-string values become JSON-valued variables."""
    try:
        data = json.loads(_read_text(path, "variables file"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} must hold a JSON object of variable names and values")
    return [
        (name, value if value is None or isinstance(value, str) else json.dumps(value, separators=(",", ":")))
        for name, value in data.items()
    ]


def _option_variables(assignments: list[str]) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise InvalidInput(f"--var {assignment!r} must be NAME=VALUE", field="--var")
        pairs.append((name, value))
    return pairs


@app.command("render")
def render(
    file: Annotated[Path, typer.Argument(help="The template file to render.")],
    var: Annotated[list[str] | None, typer.Option("--var", help="A variable, as NAME=VALUE (repeatable).")] = None,
    vars_json: Annotated[
        Path | None, typer.Option("--vars-json", help="A JSON object of variables (--var values win).")
    ] = None,
    lenient: Annotated[
        bool, typer.Option("--lenient", help="Keep the parts that do not parse as text, as Octopus does in files.")
    ] = False,
    fail_on_unresolved: Annotated[
        bool, typer.Option("--fail-on-unresolved", help="Fail if an expression cannot be resolved.")
    ] = False,
) -> None:
    """Print FILE with its #{...} expressions substituted."""
    template = _read_text(file, "template")
    pairs = (_json_variables(vars_json) if vars_json is not None else []) + _option_variables(var or [])
    if not lenient:
        parse(template, field=str(file))
    result = evaluate_with_errors(
        template,
        VariableSet(pairs),
        halt_on_error=not lenient,
        fail_on_unresolved=fail_on_unresolved,
        # The CLI renders in this machine's zone: NowDate shows local time.
        now=SystemClock().now().astimezone(),
        field=str(file),
    )
    sys.stdout.write(result.text or "")
