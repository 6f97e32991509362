"""`seaway approve SEA-n`, `seaway reject SEA-n` and `seaway approvals list` with change requests, against a
real server process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.fixtures.approvals import space
from tests.fixtures.server_process import as_user, one_error_line, run_cli, server_with_space

POLICY = """
approval_policies:
  - name: Two of the stakeholders
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
  - name: The pair
    scope: {environments: [Prod]}
    approvers: {teams: [Pair]}
    quorum: [{team: Pair, minimum: 2}]
"""
STEPS = '      - {name: Hello, type: script, script: "echo hello"}\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    document = space(STEPS).replace("teams:\n", "teams:\n  - {name: Pair, members: [alice, bob]}\n", 1) + POLICY
    with server_with_space(tmp_path_factory.mktemp("change-requests-cli"), document) as (ops_env, _):
        yield ops_env


def deploy(ops_env: dict[str, str]) -> str:
    release = run_cli(["release", "create", "--project", "Quotes"], ops_env).stdout.strip()
    deployed = run_cli(["deploy", "--project", "Quotes", "--release", release, "--to", "Test"], ops_env)
    assert deployed.returncode == 0, deployed.stderr
    return deployed.stdout.split()[1]


def number_of(ops_env: dict[str, str]) -> str:
    listed = run_cli(["approvals", "list"], ops_env).stdout.splitlines()
    return next(line.split()[0] for line in listed if line.startswith("SEA-"))


def test_two_approvals_from_the_cli_start_the_deployment(server):
    task_id = deploy(server)
    number = number_of(server)
    alice, bob = as_user(server, "alice"), as_user(server, "bob")

    mine = run_cli(["approvals", "list", "--mine"], alice)
    first = run_cli(["approve", number, "--note", "fine"], alice)
    twice = run_cli(["approve", number], alice)
    second = run_cli(["approve", number.lower()], bob)
    finished = run_cli(["task", "wait", task_id, "--timeout", "60"], server)

    assert f"{number}  pending" in mine.stdout and "needs 2 approvals (0 so far)" in mine.stdout
    assert "(you may decide)" in mine.stdout
    assert first.returncode == 0 and "still blocked by change request" in first.stdout and "(1 so far)" in first.stdout
    assert twice.returncode == 2 and "already decided" in one_error_line(twice)
    assert second.returncode == 0 and f"{number} approved; the deployment starts" in second.stdout
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_a_rejection_from_the_cli_needs_a_reason_and_fails_the_task(server):
    task_id = deploy(server)
    number = number_of(server)
    erin, carol = as_user(server, "erin"), as_user(server, "carol")

    outsider = run_cli(["approve", number], carol)
    no_reason = run_cli(["reject", number, "--reason", " "], erin)
    rejected = run_cli(["reject", number, "--reason", "not today"], erin)
    finished = run_cli(["task", "wait", task_id, "--timeout", "60"], server)

    assert outsider.returncode == 2 and '"carol" is not an approver' in one_error_line(outsider)
    assert no_reason.returncode == 2
    assert rejected.returncode == 0
    assert finished.returncode == 1


def test_preview_shows_who_can_approve_and_refuses_an_impossible_quorum(server):
    release = run_cli(["release", "create", "--project", "Quotes"], server).stdout.strip()
    alice = as_user(server, "alice")
    command = ["deploy", "--project", "Quotes", "--release", release, "--preview"]

    dev = run_cli([*command, "--to", "Dev"], alice)
    test = run_cli([*command, "--to", "Test"], alice)
    by_ops = run_cli([*command, "--to", "Prod"], server)
    by_alice = run_cli([*command, "--to", "Prod"], alice)

    assert dev.returncode == 0 and "no approval policy applies" in dev.stdout
    assert test.returncode == 0 and "gated by Two of the stakeholders" in test.stdout
    assert "needs 2 approvals" in test.stdout and "who can approve: bob, erin, nomail" in test.stdout
    assert by_ops.returncode == 0 and "who can approve: alice, bob" in by_ops.stdout
    assert by_alice.returncode == 2
    assert 'needs 2 approvals from "Pair", which has 1 eligible approvers' in one_error_line(by_alice)
    assert "Deployments-" not in by_alice.stdout  # nothing was deployed
