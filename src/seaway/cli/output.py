"""How the CLI reports: results on stdout, one line per error on stderr, and the exit codes of the contract.

0 success · 1 the awaited deployment or task failed, was rejected or canceled · 2 bad input ·
3 cannot reach or authenticate to the server.

Commands raise Seaway's errors (`seaway.errors`) and never print them: `report` is the one place that
turns an error into its line and exit code, and every command group (`ReportingGroup`) calls it.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from seaway.errors import AuthenticationFailed, SeawayError, ServerUnavailable

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3

out = Console(highlight=False, soft_wrap=True)

# The CLI's one table from errors to exit codes; the first match wins.
ERROR_EXIT_CODES: tuple[tuple[type[SeawayError], int], ...] = (
    (ServerUnavailable, EXIT_UNREACHABLE),
    (AuthenticationFailed, EXIT_UNREACHABLE),
    (SeawayError, EXIT_BAD_INPUT),
)


def error_exit_code(error: SeawayError) -> int:
    return next(code for kind, code in ERROR_EXIT_CODES if isinstance(error, kind))


def report(error: SeawayError) -> NoReturn:
    """One line on stderr naming the problem, then the exit code the table gives the error."""
    line = " ".join(str(error).strip().splitlines()) or "error"
    typer.echo(f"error: {line}", err=True)
    raise typer.Exit(error_exit_code(error))


class ReportingGroup(TyperGroup):
    """A command group whose commands' Seaway errors end the command through `report`, never as a traceback."""

    # `ctx` is the Click context Typer vendors; Typer exports only a subclass of it, hence Any.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SeawayError as error:
            report(error)
