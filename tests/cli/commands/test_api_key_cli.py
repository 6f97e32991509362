"""`seaway api-key create|list|revoke` against a real server, and the admin commands for service accounts,
API keys and passwords (which talk to the database directly)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.server_process import admin_server, one_error_line, run_cli, seaway_env

from seaway.cli.commands.api_keys import expires_in_days
from seaway.errors import InvalidInput


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    tmp = tmp_path_factory.mktemp("api-key-cli")
    with admin_server(tmp) as (admin, _):
        yield admin, tmp / "seaway.db"


def audit(database: Path, action: str) -> list[tuple[str, str, str, dict]]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT actor, actor_kind, channel, details FROM audit_events WHERE action = ? ORDER BY id", (action,)
        ).fetchall()
    return [(actor, kind, channel, json.loads(details)) for actor, kind, channel, details in rows]


def test_a_key_is_created_listed_and_revoked_through_the_api(server):
    env, database = server
    created = run_cli(["api-key", "create", "--purpose", "GitHub Actions", "--expires", "90d"], env)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("API-") and len(created.stdout.splitlines()) == 1  # only the key on stdout
    assert "shown this once" in created.stderr
    key_id = created.stderr.split()[0]
    assert key_id.startswith("ApiKeys-")

    as_key = {**env, "SEAWAY_API_KEY": key}
    listed = run_cli(["api-key", "list"], as_key)
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.startswith(f"{key_id} ")]
    assert key[:8] in line and "active" in line and "GitHub Actions" in line
    assert key not in listed.stdout

    revoked = run_cli(["api-key", "revoke", key_id], env)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == f"{key_id} revoked"
    refused = run_cli(["api-key", "list"], as_key)
    assert refused.returncode == 3
    assert "revoked" in one_error_line(refused)
    [(actor, kind, channel, _)] = [e for e in audit(database, "api_key.revoked") if e[3]["prefix"] == key[:8]]
    assert (actor, kind, channel) == ("ops", "user", "cli")


def test_revoking_an_unknown_key_exits_2_with_one_line(server):
    env, _ = server
    result = run_cli(["api-key", "revoke", "ApiKeys-99999"], env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "ApiKeys-99999" in one_error_line(result)


@pytest.mark.parametrize("expires", ["90", "90x", "0d", "-1d", "11y", "soon"])
def test_a_bad_expiry_exits_2_with_one_line_before_any_request(expires):
    env = seaway_env("sqlite:////nonexistent/seaway.db", Path("/nonexistent"), SEAWAY_URL="http://127.0.0.1:9")
    result = run_cli(["api-key", "create", "--purpose", "CI", "--expires", expires], {**env, "SEAWAY_API_KEY": "x"})
    assert result.returncode == 2
    assert "--expires" in one_error_line(result)


def test_lifetimes_are_days_weeks_or_years():
    assert [expires_in_days(t) for t in ("90d", "12w", "1y", " 7D ")] == [90, 84, 365, 7]
    with pytest.raises(InvalidInput) as refused:
        expires_in_days("3m")
    assert refused.value.field == "--expires"


def test_a_service_account_is_created_with_a_first_key_that_works(server):
    env, database = server
    created = run_cli(["admin", "create-service-account", "ci", "--display-name", "Build server"], env)
    assert created.returncode == 0, created.stderr
    first, key = created.stdout.strip().splitlines()
    assert first.startswith("Created service account ci (Users-")
    listed = run_cli(["api-key", "list"], {**env, "SEAWAY_API_KEY": key})
    assert listed.returncode == 0, listed.stderr
    assert "created by admin command" in listed.stdout
    [(actor, kind, channel, _)] = [e for e in audit(database, "api_key.created") if e[3]["username"] == "ci"]
    assert (actor, kind, channel) == ("seaway admin", "system", "cli")

    again = run_cli(["admin", "create-service-account", "ci"], env)
    assert again.returncode == 2
    assert "already exists" in one_error_line(again)
    password = run_cli(["admin", "set-password", "ci", "--password-stdin"], env, stdin="long enough password\n")
    assert password.returncode == 2
    assert "service account" in one_error_line(password)


def test_admin_create_api_key_gives_its_keys_a_purpose(server):
    env, _ = server
    created = run_cli(["admin", "create-api-key", "ops"], env)
    assert created.returncode == 0, created.stderr
    named = run_cli(["admin", "create-api-key", "ops", "--purpose", "nightly export"], env)
    listed = run_cli(["api-key", "list"], env).stdout
    assert created.stdout.strip()[:8] in listed and named.stdout.strip()[:8] in listed
    assert "created by admin command" in listed and "nightly export" in listed


def test_admin_set_password_reads_stdin_and_is_audited(server):
    env, database = server
    assert run_cli(["admin", "create-user", "dana", "--email", "dana@example.org"], env).returncode == 0

    done = run_cli(["admin", "set-password", "dana", "--password-stdin"], env, stdin="correct horse battery\n")
    short = run_cli(["admin", "set-password", "dana", "--password-stdin"], env, stdin="short\n")
    no_stdin = run_cli(["admin", "set-password", "dana"], env)
    nobody = run_cli(["admin", "set-password", "nobody", "--password-stdin"], env, stdin="correct horse battery\n")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Set the password of dana; their sessions have ended"
    assert short.returncode == no_stdin.returncode == nobody.returncode == 2
    assert "--password-stdin" in one_error_line(short) and "at least 8" in one_error_line(short)
    assert "--password-stdin" in one_error_line(no_stdin)
    assert "nobody" in one_error_line(nobody)
    events = audit(database, "user.password_reset")
    assert [(actor, kind) for actor, kind, _, _ in events] == [("seaway admin", "system")]
    assert "correct horse" not in json.dumps(events)
