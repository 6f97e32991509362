"""`seaway override-freeze` and the freeze and window lines of `seaway deploy --preview`, against a real server
process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.fixtures.approvals import space
from tests.fixtures.server_process import as_user, one_error_line, run_cli, server_with_space

EXTRA = """
approval_policies:
  - name: Weekday Test
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    change_windows:
      - {days: [Mon, Tue, Wed, Thu, Fri], start: "09:00", end: "17:00", timezone: Europe/London}
  - name: Closed Prod
    scope: {environments: [Prod]}
    approvers: {teams: [Project Stakeholders]}
    change_windows:
      - {from: "2020-01-01T08:00:00Z", to: "2020-01-01T18:00:00Z"}
freezes:
  - {name: Long freeze, scope: {environments: [Dev]}, start: "2020-01-01T00:00:00Z", end: "2100-01-01T00:00:00Z"}
"""
STEPS = '      - {name: Hello, type: script, script: "echo hello"}\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    document = space(STEPS) + EXTRA
    with server_with_space(tmp_path_factory.mktemp("freezes-cli"), document) as (ops_env, _):
        yield ops_env


def test_an_override_needs_a_reason_and_the_permission_then_the_deployment_runs(server):
    release = run_cli(["release", "create", "--project", "Quotes"], server).stdout.strip()
    deployed = run_cli(["deploy", "--project", "Quotes", "--release", release, "--to", "Dev"], server)
    assert deployed.returncode == 0, deployed.stderr
    deployment, task_id = deployed.stdout.split()
    dave = as_user(server, "dave")

    no_reason = run_cli(["override-freeze", deployment, "--reason", " "], server)
    refused = run_cli(["override-freeze", deployment, "--reason", "urgent"], dave)
    done = run_cli(["override-freeze", deployment, "--reason", "the outage fix"], server)
    finished = run_cli(["task", "wait", task_id, "--timeout", "60"], server)

    assert no_reason.returncode == 2 and "--reason" in one_error_line(no_reason)
    assert refused.returncode != 0 and "freeze.override" in one_error_line(refused)
    assert done.returncode == 0, done.stderr
    assert f"{deployment}: freeze Long freeze overridden" in done.stdout
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_the_preview_shows_the_freeze_and_the_change_window(server):
    release = run_cli(["release", "create", "--project", "Quotes"], server).stdout.strip()
    command = ["deploy", "--project", "Quotes", "--release", release, "--preview"]

    dev = run_cli([*command, "--to", "Dev"], server)
    test = run_cli([*command, "--to", "Test"], server)
    prod = run_cli([*command, "--to", "Prod"], server)

    assert dev.returncode == 0 and "frozen by Long freeze until 2100-01-01 00:00 UTC" in dev.stdout
    assert test.returncode == 0 and "gated by Weekday Test" in test.stdout
    assert "change window: " in test.stdout and "Mon–Fri 09:00–17:00 Europe/London" in test.stdout
    assert prod.returncode == 2 and "its change window has no future opening" in one_error_line(prod)
