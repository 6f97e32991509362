"""How the CLI reports: results on stdout, one line per error on stderr, and the exit codes of the contract.

0 success · 1 the awaited deployment or task failed, was rejected or canceled · 2 bad input ·
3 cannot reach or authenticate to the server.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from seaway.errors import SeawayError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3

out = Console(highlight=False, soft_wrap=True)


class CliError(Exception):
    """Raised by commands; `main()` prints it as one line on stderr and exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = " ".join(message.strip().splitlines()) or "error"
        self.exit_code = exit_code


def fail(message: str, exit_code: int = EXIT_BAD_INPUT) -> NoReturn:
    first_line = " ".join(message.strip().splitlines()) or "error"
    sys.stderr.write(f"error: {first_line}\n")
    raise typer.Exit(exit_code)


def report(error: CliError | SeawayError) -> NoReturn:
    """One line on stderr and the exit code; Seaway's own errors reaching the CLI are bad input."""
    code = error.exit_code if isinstance(error, CliError) else EXIT_BAD_INPUT
    message = error.message if isinstance(error, CliError) else " ".join(str(error).splitlines())
    sys.stderr.write(f"error: {message}\n")
    sys.exit(code)
