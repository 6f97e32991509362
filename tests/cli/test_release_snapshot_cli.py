"""`seaway release update-variables PROJECT VERSION` against a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.approvals import space
from tests.fixtures.server_process import ServerProcess, admin_api_key, free_port, one_error_line, run_cli, seaway_env

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
    tmp = tmp_path_factory.mktemp("release-snapshot-cli")
    env = seaway_env(f"sqlite:///{tmp / 'seaway.db'}", tmp / "data")
    assert run_cli(["migrate"], env).returncode == 0
    ops_key = admin_api_key(env)
    process = ServerProcess(env, free_port())
    process.start()
    ops_env = {**env, "SEAWAY_URL": process.url, "SEAWAY_API_KEY": ops_key}
    space_file = tmp / "space.yaml"
    space_file.write_text(document("hello"))
    applied = run_cli(["apply", str(space_file)], ops_env)
    assert applied.returncode == 0, applied.stderr
    try:
        yield ops_env, space_file
    finally:
        process.stop()


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
