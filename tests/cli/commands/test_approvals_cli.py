"""`seaway approvals list`, `seaway approve` and `seaway reject` against a real server process."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from tests.fixtures.approvals import space
from tests.fixtures.server_process import (
    ServerProcess,
    admin_api_key,
    free_port,
    one_error_line,
    run_cli,
    seaway_env,
)

from seaway.cli.commands.approvals import interruption_ref
from seaway.errors import InvalidInput


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], ServerProcess]]:
    tmp = tmp_path_factory.mktemp("approvals-cli")
    env = seaway_env(f"sqlite:///{tmp / 'seaway.db'}", tmp / "data")
    assert run_cli(["migrate"], env).returncode == 0
    ops_key = admin_api_key(env)
    process = ServerProcess(env, free_port())
    process.start()
    ops_env = {**env, "SEAWAY_URL": process.url, "SEAWAY_API_KEY": ops_key}
    space_file = tmp / "space.yaml"
    space_file.write_text(space())
    applied = run_cli(["apply", str(space_file)], ops_env)
    assert applied.returncode == 0, applied.stderr
    try:
        yield ops_env, process
    finally:
        process.stop()


def as_user(ops_env: dict[str, str], username: str) -> dict[str, str]:
    key = run_cli(["admin", "create-api-key", username, "--name", "cli-test"], ops_env).stdout.strip()
    return {**ops_env, "SEAWAY_API_KEY": key}


def deploy_until_waiting(
    ops_env: dict[str, str], process: ServerProcess, deployer_env: dict[str, str] | None = None
) -> tuple[str, str]:
    """Create a release, deploy it to Test and follow the task until it waits; returns (task, interruption)."""
    release = run_cli(["release", "create", "--project", "Quotes"], ops_env).stdout.strip()
    deployed = run_cli(["deploy", "--project", "Quotes", "--release", release, "--to", "Test"], deployer_env or ops_env)
    assert deployed.returncode == 0, deployed.stderr
    task_id = deployed.stdout.split()[1]
    with process.client(ops_env["SEAWAY_API_KEY"]) as api:
        with api.stream("GET", f"/tasks/{task_id}/log/stream", timeout=httpx.Timeout(30, read=60)) as events:
            event = ""
            for line in events.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "state" and json.loads(line[5:])["state"] == "waiting":
                    break
        [waiting_for] = api.get(f"/tasks/{task_id}").json()["waiting_for"]
    return task_id, waiting_for


def test_approve_lists_decides_and_the_deployment_succeeds(server):
    ops_env, process = server
    task_id, interruption = deploy_until_waiting(ops_env, process)
    alice, carol = as_user(ops_env, "alice"), as_user(ops_env, "carol")

    nothing_for_carol = run_cli(["approvals", "list", "--mine"], carol)
    for_alice = run_cli(["approvals", "list", "--mine"], alice)
    approved = run_cli(["approve", interruption, "--note", "looks good"], alice)
    finished = run_cli(["task", "wait", task_id, "--timeout", "60"], ops_env)
    again = run_cli(["approve", interruption.split("-")[1]], alice)
    completed = run_cli(["approvals", "list", "--state", "completed"], ops_env)

    assert nothing_for_carol.returncode == 0 and nothing_for_carol.stdout.strip() == "No pending approvals for you"
    assert for_alice.returncode == 0
    assert f"{interruption}  pending" in for_alice.stdout and "(you may decide)" in for_alice.stdout
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == f"{interruption} approved; the deployment continues"
    assert finished.returncode == 0, finished.stdout
    assert again.returncode == 2 and "already decided by Alice Approver at" in one_error_line(again)
    assert f"{interruption}  resolved" in completed.stdout
    assert "approved by Alice Approver: looks good" in completed.stdout
    with process.client(ops_env["SEAWAY_API_KEY"]) as api:
        assert api.get(f"/interruptions/{interruption}").json()["channel"] == "cli"


def test_reject_needs_a_reason_and_a_responsible_user_and_fails_the_deployment(server):
    ops_env, process = server
    task_id, interruption = deploy_until_waiting(ops_env, process)
    bob, carol = as_user(ops_env, "bob"), as_user(ops_env, "carol")

    no_reason = run_cli(["reject", interruption], bob)
    blank_reason = run_cli(["reject", interruption, "--reason", "  "], bob)
    not_responsible = run_cli(["reject", interruption, "--reason", "no"], carol)
    rejected = run_cli(["reject", interruption, "--reason", "the tests are red"], bob)
    finished = run_cli(["task", "wait", task_id, "--timeout", "60"], ops_env)

    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    assert blank_reason.returncode == 2 and "--reason" in one_error_line(blank_reason)
    assert not_responsible.returncode == 2 and "Project Stakeholders" in one_error_line(not_responsible)
    assert rejected.returncode == 0 and rejected.stdout.strip() == f"{interruption} rejected; the deployment stops"
    assert finished.returncode == 1
    assert "Rejected by Bob Builder: the tests are red" in finished.stdout


def test_the_deployer_cannot_approve_their_own_deployment_from_the_cli(server):
    ops_env, process = server
    alice, bob = as_user(ops_env, "alice"), as_user(ops_env, "bob")
    _, interruption = deploy_until_waiting(ops_env, process, deployer_env=alice)

    listed = run_cli(["approvals", "list", "--mine"], alice)
    refused = run_cli(["approve", interruption, "--note", "mine"], alice)
    approved = run_cli(["approve", interruption], bob)

    assert f"{interruption}  pending" not in listed.stdout
    assert refused.returncode == 2
    assert 'user "alice" started this deployment and may not decide its own approval' in one_error_line(refused)
    assert approved.returncode == 0, approved.stderr


def test_resend_emails_new_links_to_everyone_or_to_the_people_named(server):
    ops_env, process = server
    _, interruption = deploy_until_waiting(ops_env, process)
    bob = as_user(ops_env, "bob")

    before = approval_emails_to(process, ops_env, "alice@example.org")
    everyone = run_cli(["approvals", "resend", interruption], ops_env)
    only_alice = run_cli(["approvals", "resend", interruption, "--to", "alice"], bob)
    outsider = run_cli(["approvals", "resend", interruption, "--to", "carol"], ops_env)

    assert everyone.returncode == 0, everyone.stderr
    assert everyone.stdout.startswith(f"{interruption}: new links emailed to alice, bob, erin; they expire at ")
    assert only_alice.returncode == 0 and "emailed to alice;" in only_alice.stdout
    assert outsider.returncode == 2 and "cannot send links to carol" in one_error_line(outsider)
    assert approval_emails_to(process, ops_env, "alice@example.org") == before + 2


def approval_emails_to(process: ServerProcess, ops_env: dict[str, str], address: str) -> int:
    with process.client(ops_env["SEAWAY_API_KEY"]) as api:
        outbox = api.get("/outbox", params={"limit": 1000}).json()
    return sum(1 for mail in outbox if mail["to"] == [address] and mail["subject"].startswith("Approval needed"))


def test_change_request_numbers_and_bad_ids_are_refused_with_one_line(server):
    ops_env, _ = server

    change_request = run_cli(["approve", "SEA-12"], ops_env)
    bad_id = run_cli(["reject", "Deployments-3", "--reason", "x"], ops_env)
    bad_state = run_cli(["approvals", "list", "--state", "later"], ops_env)

    assert change_request.returncode == 2
    assert one_error_line(change_request) == "error: change request SEA-12 does not exist"
    assert bad_id.returncode == 2 and "not an interruption id" in one_error_line(bad_id)
    assert bad_state.returncode == 2 and "--state" in one_error_line(bad_state)
    assert change_request.stdout == bad_id.stdout == ""


def test_an_interruption_is_named_by_its_id_or_its_number():
    assert interruption_ref("Interruptions-3") == interruption_ref("interruptions-3") == "Interruptions-3"
    assert interruption_ref(" 3 ") == "Interruptions-3"
    with pytest.raises(InvalidInput, match="not an interruption id") as refused:
        interruption_ref("sea-4")  # `approve` and `reject` send SEA-<n> to the change requests instead
    assert (refused.value.entity, refused.value.id) == ("interruption", "sea-4")
