"""`seaway target list|show|add` and `seaway apply` with a key file, against a real server process.

Adding with a fingerprint given and listing reach no machine; `target add` without one and `target check`
reach a real sshd, in tests/engine/test_target_checks_over_ssh.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.server_process import admin_server, one_error_line, run_cli
from tests.fixtures.targets import fingerprint_of, private_key_text

PINNED = fingerprint_of("web-01")
SPACE = f"""
environments: [Dev, Test, Prod]
accounts:
  - {{name: deploy-key, type: ssh-key, username: deploy, private_key_file: ./keys/id_ed25519}}
targets:
  - name: web-01
    environments: [Test, Prod]
    roles: [web-server, app]
    endpoint: {{type: ssh, host: 10.0.0.5, port: 2222, account: deploy-key, fingerprint: "{PINNED}"}}
  - name: web-02
    environments: [Test]
    roles: [web-server]
    endpoint: {{type: ssh, host: 10.0.0.6, account: deploy-key}}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    tmp = tmp_path_factory.mktemp("target-cli")
    (tmp / "space" / "keys").mkdir(parents=True)
    (tmp / "space" / "keys" / "id_ed25519").write_text(private_key_text())
    (tmp / "space" / "seaway.yaml").write_text(SPACE)
    with admin_server(tmp) as (admin, _):
        yield admin, tmp


@pytest.fixture(scope="module")
def applied(server: tuple[dict[str, str], Path]) -> tuple[dict[str, str], Path]:
    env, tmp = server
    result = run_cli(["apply", str(tmp / "space" / "seaway.yaml")], env)  # the key file beside it, not in the cwd
    assert result.returncode == 0, result.stderr
    assert "created: account deploy-key" in result.stdout and "created: target web-02" in result.stdout
    assert "warning: targets[1]: no host key is pinned for web-02" in result.stdout
    return server


def test_list_prints_name_environments_roles_and_health(applied):
    env, _ = applied
    listed = run_cli(["target", "list"], env)

    assert listed.returncode == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["web-01", "Test,Prod", "web-server,app", "Unknown"],
        ["web-02", "Test", "web-server", "Unknown"],
    ]


def test_show_prints_the_endpoint_and_the_pinned_key(applied):
    env, _ = applied
    shown = run_cli(["target", "show", "web-01"], env)
    unpinned = run_cli(["target", "show", "Machines-2"], env)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:6] == [
        "web-01 (Machines-1)",
        "environments  Test, Prod",
        "roles         web-server, app",
        "endpoint      ssh deploy-key@10.0.0.5:2222",
        f"host key      {PINNED}",
        "policy        Default Machine Policy",
    ]
    assert "host key      not pinned" in unpinned.stdout


def test_add_with_a_fingerprint_pins_it_and_bad_input_exits_2_naming_the_field(applied):
    env, _ = applied
    given = fingerprint_of("db-01")
    added = run_cli(
        ["target", "add", "db-01", "--environment", "Dev", "--role", "db", "--host", "10.0.0.7",
         "--account", "deploy-key", "--fingerprint", given],
        env,
    )  # fmt: skip
    spaced = run_cli(
        ["target", "add", "db-02", "--environment", "Dev", "--role", "db server", "--host", "h",
         "--account", "deploy-key", "--fingerprint", given],
        env,
    )  # fmt: skip
    unknown = run_cli(["target", "show", "nowhere"], env)

    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == ["added db-01 (Machines-3)", f"host key {given} pinned"]
    assert spaced.returncode == unknown.returncode == 2
    assert "roles[0]" in one_error_line(spaced) and '"db server" contains a space' in one_error_line(spaced)
    assert "target nowhere does not exist" in one_error_line(unknown)


def test_a_key_file_that_is_missing_exits_2_and_applies_nothing(server, tmp_path):
    env, _ = server
    (tmp_path / "broken.yaml").write_text(SPACE.replace("./keys/id_ed25519", "./keys/missing"))

    result = run_cli(["apply", str(tmp_path / "broken.yaml")], env)

    assert result.returncode == 2
    assert "accounts[0].private_key_file: cannot read" in one_error_line(result)
