"""The `seaway` command against a real server: output, exit codes 0/1/2/3 and one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.server_process import admin_server, free_port, run_cli

SPACE = """
environments: [Dev, Test, Prod]
lifecycles:
  - name: Dev, Test, and Prod
    phases:
      - {name: Dev, environments: [Dev], optional: true}
      - {name: Test, environments: [Test]}
      - {name: Prod, environments: [Prod]}
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    variables:
      - {name: Colour, value: blue, prompt: {label: Which colour, required: true}}
    process:
      - {name: Say, type: script, script: "echo colour is #{Colour} in #{Octopus.Environment.Name}"}
  - name: Broken
    process:
      - {name: Fail, type: script, script: "echo failing; exit 4"}
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    tmp = tmp_path_factory.mktemp("cli")
    space = tmp / "space.yaml"
    space.write_text(SPACE)
    with admin_server(tmp) as (client_env, _):
        yield client_env, space


def test_apply_release_and_deploy_with_wait_streams_the_log_and_exits_0(cli):
    env, space = cli
    applied = run_cli(["apply", str(space)], env)
    assert applied.returncode == 0, applied.stderr
    assert "created: project Quotes" in applied.stdout or "updated: project Quotes" in applied.stdout
    version = run_cli(["release", "create", "--project", "Quotes", "--notes", "first"], env)
    assert version.returncode == 0, version.stderr
    release = version.stdout.strip()

    deployed = run_cli(
        ["deploy", "--project", "Quotes", "--release", release, "--to", "Test", "--variable", "Colour=green", "--wait"],
        env,
    )

    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "colour is green in Test" in deployed.stdout
    assert "ServerTasks-" in deployed.stdout.splitlines()[0]


def test_prod_before_test_is_refused_with_one_line_and_exit_2(cli):
    env, space = cli
    run_cli(["apply", str(space)], env)
    release = run_cli(["release", "create", "--project", "Quotes"], env).stdout.strip()

    refused = run_cli(["deploy", "--project", "Quotes", "--release", release, "--to", "Prod"], env)

    assert refused.returncode == 2
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ") and "Test" in lines[0]


def test_a_failed_deployment_exits_1_and_task_commands_show_it(cli):
    env, space = cli
    run_cli(["apply", str(space)], env)
    release = run_cli(["release", "create", "--project", "Broken"], env).stdout.strip()
    deployed = run_cli(["deploy", "--project", "Broken", "--release", release, "--to", "Dev", "--wait"], env)
    assert deployed.returncode == 1
    task_id = deployed.stdout.splitlines()[0].split()[1]

    shown = run_cli(["task", "show", task_id], env)
    assert shown.returncode == 0
    assert "failed" in shown.stdout and "exited with code 4" in shown.stdout
    assert run_cli(["task", "wait", task_id, "--timeout", "30"], env).returncode == 1
    log = run_cli(["task", "log", task_id], env)
    assert "failing" in log.stdout
    cancel = run_cli(["task", "cancel", task_id], env)
    assert cancel.returncode == 2 and "already failed" in cancel.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["release", "create", "--project", "Nope"], "Nope"),
        (["deploy", "--project", "Quotes", "--release", "9.9.9", "--to", "Dev"], "9.9.9"),
        (["deploy", "--project", "Quotes", "--release", "1", "--to", "Dev", "--variable", "novalue"], "--variable"),
        (["task", "show", "banana"], "banana"),
        (["apply", "/no/such/file.yaml"], "cannot read"),
        (["task", "wait", "ServerTasks-1", "--timeout", "-1"], "--timeout"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(cli, args, needle):
    env, space = cli
    run_cli(["apply", str(space)], env)
    result = run_cli(args, env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_server_or_a_bad_key_exits_3(cli):
    env, _ = cli
    unreachable = run_cli(["task", "show", "ServerTasks-1"], {**env, "SEAWAY_URL": f"http://127.0.0.1:{free_port()}"})
    assert unreachable.returncode == 3
    assert "cannot reach" in unreachable.stderr
    bad_key = run_cli(["task", "show", "ServerTasks-1"], {**env, "SEAWAY_API_KEY": "API-NOPE"})
    assert bad_key.returncode == 3
    no_key = run_cli(["task", "show", "ServerTasks-1"], {k: v for k, v in env.items() if k != "SEAWAY_API_KEY"})
    assert no_key.returncode == 3


def test_admin_commands_refuse_bad_input_with_exit_2(cli):
    env, _ = cli
    result = run_cli(["admin", "create-user", "bad name!"], env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    missing = run_cli(["admin", "create-api-key", "nobody"], env)
    assert missing.returncode == 2 and "nobody" in missing.stderr
    short = run_cli(["admin", "create-user", "ops", "--password-stdin"], env, stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr
