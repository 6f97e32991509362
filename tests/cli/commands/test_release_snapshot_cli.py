"""`seaway release update-variables PROJECT VERSION` against a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.approvals import space
from tests.fixtures.server_process import one_error_line, run_cli, server_with_space

STEPS = '      - {name: Hello, type: script, script: "echo hello"}\n'
VARIABLES = "    variables:\n      - {name: Greeting, value: GREETING}\n"
POLICY = """
approval_policies:
  - name: Two of the stakeholders
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
"""


def document(greeting: str) -> str:
    text = space(STEPS).replace("    process:\n", VARIABLES.replace("GREETING", greeting) + "    process:\n", 1)
    return text + POLICY


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    with server_with_space(tmp_path_factory.mktemp("release-snapshot-cli"), document("hello")) as started:
        yield started


def test_update_variables_prints_what_changed_and_the_requests_asked_again(server):
    ops_env, space_file = server
    release = run_cli(["release", "create", "--project", "Quotes"], ops_env).stdout.strip()
    deployed = run_cli(["deploy", "--project", "Quotes", "--release", release, "--to", "Test"], ops_env)
    assert deployed.returncode == 0, deployed.stderr
    unchanged = run_cli(["release", "update-variables", "Quotes", release], ops_env)
    space_file.write_text(document("bonjour"))
    assert run_cli(["apply", str(space_file)], ops_env).returncode == 0
    updated = run_cli(["release", "update-variables", "Quotes", release], ops_env)
    unknown = run_cli(["release", "update-variables", "Quotes", "9.9.9"], ops_env)

    assert unchanged.returncode == 0 and "the variables are unchanged" in unchanged.stdout
    assert updated.returncode == 0, updated.stderr
    assert 'variable Greeting (unscoped) changed: "hello" → "bonjour"' in updated.stdout
    assert "SEA-" in updated.stdout and "approvals void, asked again" in updated.stdout
    assert unknown.returncode == 2 and "9.9.9" in one_error_line(unknown)
