"""The CLI's one error printer: each Seaway error becomes one line on stderr and the contract's exit code."""

from __future__ import annotations

import httpx
import pytest
import typer
from typer.testing import CliRunner

from seaway.cli.client import SeawayClient
from seaway.cli.output import EXIT_BAD_INPUT, EXIT_UNREACHABLE, ReportingGroup, error_exit_code
from seaway.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    RequestRefused,
    SeawayError,
    ServerUnavailable,
)


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        (ServerUnavailable("cannot reach the Seaway server"), EXIT_UNREACHABLE),
        (AuthenticationFailed("authentication failed: bad key"), EXIT_UNREACHABLE),
        (InvalidInput("must be NAME=VALUE", field="--var"), EXIT_BAD_INPUT),
        (NotFound('user "nobody" not found'), EXIT_BAD_INPUT),
        (RequestRefused("already failed", status=409), EXIT_BAD_INPUT),
    ],
)
def test_errors_exit_with_the_code_of_the_contract(error: SeawayError, exit_code: int) -> None:
    assert error_exit_code(error) == exit_code


def test_a_command_group_reports_a_raised_error_as_one_line_and_its_exit_code() -> None:
    app = typer.Typer(cls=ReportingGroup)

    @app.command("refuse")
    def refuse() -> None:
        raise Conflict('user "ops" already\nexists', field="NAME")

    @app.command("unreachable")
    def unreachable() -> None:
        raise ServerUnavailable("lost the connection")

    refused = CliRunner().invoke(app, ["refuse"])
    lost = CliRunner().invoke(app, ["unreachable"])

    assert (refused.exit_code, refused.stderr, refused.stdout) == (2, 'error: NAME: user "ops" already exists\n', "")
    assert (lost.exit_code, lost.stderr) == (3, "error: lost the connection\n")


def _answer(status: int, body: object = None) -> object:
    return SeawayClient._result(httpx.Response(status, json=body))


def test_the_servers_refusal_keeps_its_message_and_field_as_they_are() -> None:
    with pytest.raises(RequestRefused) as refused:
        _answer(422, {"error": {"code": "invalid_input", "message": "unknown environment", "field": "to"}})

    assert (str(refused.value), refused.value.field, refused.value.status) == ("unknown environment", "to", 422)


def test_a_refused_key_and_a_failing_server_are_out_of_reach() -> None:
    with pytest.raises(AuthenticationFailed, match=r"^authentication failed: bad key$"):
        _answer(401, {"error": {"code": "unauthenticated", "message": "bad key"}})
    with pytest.raises(ServerUnavailable, match=r"^server error: the server answered 502$"):
        _answer(502)
