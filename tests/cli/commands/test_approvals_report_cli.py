"""`seaway approvals report --from --to --format csv|json` against a real server process."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from tests.fixtures.approvals import TWO_FOR_TEST, space
from tests.fixtures.server_process import admin_server, one_error_line, run_cli

STEPS = '      - {name: Hello, type: script, script: "echo hello"}\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("approvals-report-cli")
    with admin_server(tmp) as (ops_env, _):
        space_file = tmp / "space.yaml"
        space_file.write_text(space(STEPS) + TWO_FOR_TEST)
        applied = run_cli(["apply", str(space_file)], ops_env)
        assert applied.returncode == 0, applied.stderr
        yield ops_env


def as_user(ops_env: dict[str, str], username: str) -> dict[str, str]:
    key = run_cli(["admin", "create-api-key", username, "--name", "report-test"], ops_env).stdout.strip()
    return {**ops_env, "SEAWAY_API_KEY": key}


def approved_and_rejected(ops_env: dict[str, str]) -> tuple[str, str]:
    """Two change requests: one approved by alice and bob, the next rejected by erin."""
    numbers = []
    for _ in range(2):
        release = run_cli(["release", "create", "--project", "Quotes"], ops_env).stdout.strip()
        deployed = run_cli(["deploy", "--project", "Quotes", "--release", release, "--to", "Test"], ops_env)
        assert deployed.returncode == 0, deployed.stderr
        listed = run_cli(["approvals", "list"], ops_env).stdout.splitlines()
        numbers.append(next(line.split()[0] for line in listed if line.startswith("SEA-")))
        if len(numbers) == 1:
            assert run_cli(["approve", numbers[0], "--note", "fine, go"], as_user(ops_env, "alice")).returncode == 0
            assert run_cli(["approve", numbers[0]], as_user(ops_env, "bob")).returncode == 0
    assert run_cli(["reject", numbers[1], "--reason", "not today"], as_user(ops_env, "erin")).returncode == 0
    return numbers[0], numbers[1]


def test_the_report_as_csv_and_as_json(server):
    approved, rejected = approved_and_rejected(server)

    as_csv = run_cli(["approvals", "report", "--from", "2000-01-01"], server)
    as_json = run_cli(["approvals", "report", "--from", "2000-01-01", "--to", "2999-01-01", "--format", "json"], server)
    before = run_cli(["approvals", "report", "--from", "2000-01-01", "--to", "2000-01-02", "--format", "json"], server)

    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["id"] for r in rows] == [approved, rejected]
    assert rows[0]["state"] == "approved" and rows[0]["approved_by"] == "alice; bob" and rows[0]["rejected_by"] == ""
    assert rows[0]["requested_by"] == "ops" and rows[0]["approver_teams"] == "Project Stakeholders"
    assert "alice approved at " in rows[0]["decisions"] and "via cli: fine, go" in rows[0]["decisions"]
    assert float(rows[0]["seconds_to_decision"]) >= 0 and rows[0]["window_waits"] == ""
    assert rows[1]["state"] == "rejected" and rows[1]["rejected_by"] == "erin"
    assert rows[1]["reason"] == f"Rejected by Erin Engineer ({rejected}): not today"
    assert as_json.returncode == 0, as_json.stderr
    items = json.loads(as_json.stdout)
    assert [i["id"] for i in items] == [approved, rejected]
    assert items[0]["decisions"][0]["channel"] == "cli" and items[1]["outcome"]["state"] == "rejected"
    assert before.returncode == 0 and json.loads(before.stdout) == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [(["--from", "last week"], "--from"), (["--from", "2026-03-02", "--to", "2026-03-01"], "--to")],
)
def test_a_bad_period_exits_2_with_one_line(server, arguments, field):
    refused = run_cli(["approvals", "report", *arguments], server)
    assert refused.returncode == 2 and refused.stdout == ""
    assert field in one_error_line(refused)
