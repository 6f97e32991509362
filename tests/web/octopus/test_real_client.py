"""Octopus's own TypeScript client (`@octopusdeploy/api-client` 3.11.0, what Octopus's GitHub Actions are
built on) against a real `seaway server`, on SQLite and on PostgreSQL: push packages, create releases,
deploy to two environments, wait for the tasks; a failing script, a rejected sign-off, a wait that times
out, a bad key, and a server published under a sub-path. What Seaway did is read back through /api/v1."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fixtures.databases import truncate_all
from tests.fixtures.octopus_client import OctopusClient, node_path
from tests.fixtures.package_files import build_package
from tests.fixtures.path_proxy import path_proxy
from tests.fixtures.server_process import (
    ServerProcess,
    admin_api_key,
    follow_until_end,
    free_port,
    run_cli,
    seaway_env,
)

from seaway.domain.packages import PackageFormat

pytestmark = pytest.mark.slow

SPACE = """
environments: [Dev, Test]
lifecycles:
  - name: Dev then Test
    phases:
      - {name: Dev, environments: [Dev], optional: true}
      - {name: Test, environments: [Test]}
users:
  - {username: alice, display_name: Alice Approver, email: alice@example.org}
teams:
  - name: Approvers
    members: [alice]
    roles: [{role: project-deployer}]
projects:
  - name: Random Quotes
    lifecycle: Dev then Test
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}
      - name: Report
        type: script
        script: "echo deployed #{Octopus.Action[Deploy].Package.PackageVersion} to #{Octopus.Environment.Name}"
  - name: Versions
    process:
      - {name: Hello, type: script, script: "echo hello"}
  - name: Staged
    process:
      - {name: Hello, type: script, script: "echo hello"}
  - name: Broken
    lifecycle: Dev then Test
    process:
      - {name: Fail, type: script, script: "exit 3"}
  - name: Gated
    lifecycle: Dev then Test
    process:
      - {name: Build, type: script, script: "echo building"}
      - name: Sign Off
        type: manual-intervention
        instructions: Check the quotes
        responsible_teams: [Approvers]
      - {name: After, type: script, script: "echo approved"}
"""


@dataclass(frozen=True)
class Seaway:
    server: ServerProcess
    ops: dict[str, str]  # the CLI's environment as the administrator `ops`
    alice: dict[str, str]  # ... as `alice`, who decides the Gated sign-off
    octopus: OctopusClient  # Octopus's client as a pipeline holding ops's API key configures it
    files: Path

    def api(self) -> httpx.Client:
        return self.server.client(self.ops["SEAWAY_API_KEY"])


def database_url(request: pytest.FixtureRequest, tmp: Path) -> str:
    """A migrated, empty database of the fixture's dialect (the session's PostgreSQL database, emptied)."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp / "seaway.db")
        return f"sqlite:///{tmp / 'seaway.db'}"
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(truncate_all(url))
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seaway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seaway]:
    """One server per dialect for the whole module; each test uses its own packages, versions or projects."""
    node_path()  # skips without Node, fails without the client installed, before any server starts
    tmp = tmp_path_factory.mktemp(f"octopus-client-{request.param}")
    env = seaway_env(database_url(request, tmp), tmp / "data")
    ops_key = admin_api_key(env)
    server = ServerProcess(env, free_port())
    server.start()
    try:
        ops = {**env, "SEAWAY_URL": server.url, "SEAWAY_API_KEY": ops_key}
        (tmp / "space.yaml").write_text(SPACE)
        applied = run_cli(["apply", str(tmp / "space.yaml")], ops)
        assert applied.returncode == 0, applied.stderr
        alice_key = run_cli(["admin", "create-api-key", "alice"], ops)
        assert alice_key.returncode == 0, alice_key.stderr
        alice = {**ops, "SEAWAY_API_KEY": alice_key.stdout.strip()}
        yield Seaway(server, ops, alice, OctopusClient(server.url, ops_key), tmp / "files")
    finally:
        server.stop()


def package(seaway: Seaway, package_id: str, version: str, content: str = "") -> Path:
    files = {"index.html": content or f"<h1>{package_id} {version}</h1>"}
    return build_package(seaway.files, package_id, version, files, PackageFormat.ZIP)


@pytest.fixture(scope="module")
def quotes(seaway: Seaway) -> Seaway:
    """RandomQuotes 1.0.0 and 1.0.1 pushed with the client, as a build pipeline would."""
    versions = [package(seaway, "RandomQuotes", version) for version in ("1.0.0", "1.0.1")]
    pushed = seaway.octopus.push(*versions, overwrite_mode="IgnoreIfExists")
    assert pushed["ok"], pushed
    return seaway


def failed(result: dict[str, Any]) -> str:
    assert result["ok"] is False, result
    message: str = result["error"]
    return message


def succeeded(result: dict[str, Any]) -> dict[str, Any]:
    assert result["ok"] is True, result
    return result


def release_in_seaway(seaway: Seaway, release_id: str) -> dict[str, Any]:
    with seaway.api() as api:
        response = api.get(f"/releases/{release_id}")
        assert response.status_code == 200, response.text
        release: dict[str, Any] = response.json()
        return release


def steps_and_versions(release: dict[str, Any]) -> dict[str, str]:
    return {p["step"]: p["version"] for p in release["packages"]}


# --- connecting -------------------------------------------------------------------------------------------


def test_the_client_connects_and_resolves_the_space_by_its_name(seaway):
    connected = succeeded(seaway.octopus.connect())
    with httpx.Client() as http:
        root = http.get(f"{seaway.server.url}/api").json()

    assert connected["version"] == "2025.4.0"
    assert connected["spaceId"] == "Spaces-1"
    assert connected["installationId"] == root["InstallationId"]
    assert succeeded(seaway.octopus.connect())["installationId"] == connected["installationId"]


def test_a_space_the_server_does_not_have_is_the_clients_own_error(seaway):
    unknown = OctopusClient(seaway.server.url, seaway.octopus.api_key, space="Production")
    other_case = OctopusClient(seaway.server.url, seaway.octopus.api_key, space="default")

    assert failed(unknown.connect()) == "No spaces exist with name 'Production'"
    # Seaway matches the name in any case, as Octopus does; the client then wants it exactly.
    assert failed(other_case.connect()) == "Unable to resolve space name 'default'"


def test_a_bearer_token_is_accepted_in_place_of_the_key(seaway):
    with_token = OctopusClient(seaway.server.url, "", access_token=seaway.octopus.api_key)

    assert succeeded(with_token.connect())["spaceId"] == "Spaces-1"


def test_a_bad_or_missing_key_is_the_clients_401(seaway):
    wrong = OctopusClient(seaway.server.url, "API-" + "X" * 32)
    missing = OctopusClient(seaway.server.url, "")

    pushed = wrong.push(package(seaway, "Refused", "1.0.0"))
    released = wrong.create_release("Random Quotes", release_number="9.9.9")
    awaited = missing.await_task("ServerTasks-1")

    for refused in (pushed, released, awaited):  # each refused at its first call after GET /api
        assert "API key" in failed(refused)
        assert refused["statusCode"] == 401
    with seaway.api() as api:
        assert api.get("/packages", params={"id": "Refused"}).json() == []


# --- pushing ----------------------------------------------------------------------------------------------


def test_push_in_each_overwrite_mode_and_a_duplicate_is_409(seaway):
    first = package(seaway, "Pushed.Modes", "1.2.0", "first")
    sha_first = hashlib.sha256(first.read_bytes()).hexdigest()

    created = seaway.octopus.push(first)  # the action's default, FailIfExists
    duplicate = seaway.octopus.push(first, overwrite_mode="FailIfExists")
    ignored = seaway.octopus.push(package(seaway, "Pushed.Modes", "1.2.0", "second"), overwrite_mode="IgnoreIfExists")
    with seaway.api() as api:
        after_ignore = api.get("/packages/Pushed.Modes/1.2.0").json()
    third = package(seaway, "Pushed.Modes", "1.2.0", "third")
    replaced = seaway.octopus.push(third, overwrite_mode="OverwriteExisting")
    with seaway.api() as api:
        after_overwrite = api.get("/packages/Pushed.Modes/1.2.0").json()

    assert succeeded(created)["pushed"] == ["Pushed.Modes.1.2.0.zip"]
    assert "Pushed.Modes 1.2.0 is already in the built-in feed" in failed(duplicate)
    assert duplicate["errorStatuses"] == [409]  # push() keeps only the message; the client saw the 409
    assert succeeded(ignored) and after_ignore["sha256"] == sha_first
    assert succeeded(replaced) and after_overwrite["sha256"] == hashlib.sha256(third.read_bytes()).hexdigest()


# --- creating releases ------------------------------------------------------------------------------------


def test_a_release_with_an_explicit_version_takes_the_latest_package(quotes):
    created = succeeded(quotes.octopus.create_release("Random Quotes", release_number="2.0.0", release_notes="Built"))
    release = release_in_seaway(quotes, created["ReleaseId"])

    assert created["ReleaseVersion"] == "2.0.0"
    assert (release["project"], release["version"], release["notes"]) == ("Random Quotes", "2.0.0", "Built")
    assert steps_and_versions(release) == {"Deploy": "1.0.1"}


@pytest.mark.parametrize(
    ("version", "options"),
    [
        ("2.1.0", {"package": ["Deploy:1.0.0"]}),  # StepName:Version
        ("2.1.1", {"package": ["RandomQuotes:1.0.0"]}),  # PackageID:Version
        ("2.1.2", {"package": ["Deploy:RandomQuotes:1.0.0"]}),  # StepName:PackageName:Version
        ("2.1.3", {"package_version": "1.0.0"}),  # one version for every package step
    ],
)
def test_a_release_pins_the_package_version_it_is_given(quotes, version, options):
    created = succeeded(quotes.octopus.create_release("Random Quotes", release_number=version, **options))

    assert created["ReleaseVersion"] == version
    assert steps_and_versions(release_in_seaway(quotes, created["ReleaseId"])) == {"Deploy": "1.0.0"}


def test_a_release_without_a_version_is_allocated_one_after_the_projects_latest(seaway):
    first = succeeded(seaway.octopus.create_release("Versions"))
    explicit = succeeded(seaway.octopus.create_release("Versions", release_number="1.4.0"))
    allocated = succeeded(seaway.octopus.create_release("Versions"))

    assert (first["ReleaseVersion"], explicit["ReleaseVersion"], allocated["ReleaseVersion"]) == (
        "0.0.1",
        "1.4.0",
        "1.4.1",
    )
    assert release_in_seaway(seaway, allocated["ReleaseId"])["version"] == "1.4.1"


def test_a_release_that_cannot_be_made_says_why_in_the_clients_error(quotes):
    no_project = quotes.octopus.create_release("No Such Project")
    no_package = quotes.octopus.create_release("Random Quotes", release_number="5.0.0", package=["Deploy:9.9.9"])

    assert "No Such Project" in failed(no_project)
    assert no_project["statusCode"] == 404
    assert 'step "Deploy"' in failed(no_package) and "9.9.9" in no_package["error"]
    assert no_package["statusCode"] == 400


def test_an_existing_version_is_refused_unless_the_release_asks_to_ignore_it(seaway):
    created = succeeded(seaway.octopus.create_release("Staged", release_number="1.0.0"))
    again = seaway.octopus.create_release("Staged", release_number="1.0.0")
    ignored = seaway.octopus.create_release("Staged", release_number="1.0.0", ignore_existing=True)

    assert "already exists" in failed(again)
    assert again["statusCode"] == 400
    assert succeeded(ignored) == created


# --- deploying and waiting --------------------------------------------------------------------------------


def test_deploy_to_two_environments_at_once_and_wait_for_both(quotes):
    created = succeeded(quotes.octopus.create_release("Random Quotes", release_number="3.0.0"))
    deployed = succeeded(quotes.octopus.deploy("Random Quotes", created["ReleaseVersion"], "Dev", "Test"))
    tasks = {d["environmentName"]: d["serverTaskId"] for d in deployed["deployments"]}
    awaited = {name: succeeded(quotes.octopus.await_task(task_id)) for name, task_id in tasks.items()}

    assert sorted(tasks) == ["Dev", "Test"] and len(set(tasks.values())) == 2
    for name, task in awaited.items():
        assert (task["Id"], task["State"], task["IsCompleted"]) == (tasks[name], "Success", True), task
        assert task["FinishedSuccessfully"] is True and task["HasPendingInterruptions"] is False
    with quotes.api() as api:
        for name, task_id in tasks.items():
            assert api.get(f"/tasks/{task_id}").json()["state"] == "success"
            assert f"deployed 1.0.1 to {name}" in api.get(f"/tasks/{task_id}/log/raw").text
        deployments = api.get(f"/releases/{created['ReleaseId']}/deployments").json()
    assert sorted(d["environment"] for d in deployments) == ["Dev", "Test"]


def test_an_environment_the_lifecycle_does_not_allow_yet_is_refused_with_the_reason(seaway):
    created = succeeded(seaway.octopus.create_release("Staged", release_number="2.0.0"))
    refused = seaway.octopus.deploy("Staged", created["ReleaseVersion"], "Test")

    assert "cannot be deployed to Test yet" in failed(refused)
    assert refused["statusCode"] == 400
    with seaway.api() as api:
        assert api.get(f"/releases/{created['ReleaseId']}/deployments").json() == []


def test_waiting_for_a_task_the_server_does_not_have_is_the_clients_error(seaway):
    assert failed(seaway.octopus.await_task("ServerTasks-999999")) == "Unknown task Id(s) ServerTasks-999999"


def test_a_failing_script_ends_the_awaited_task_failed(seaway):
    created = succeeded(seaway.octopus.create_release("Broken"))
    [deployment] = succeeded(seaway.octopus.deploy("Broken", created["ReleaseVersion"], "Dev"))["deployments"]
    awaited = succeeded(seaway.octopus.await_task(deployment["serverTaskId"]))

    assert (awaited["State"], awaited["IsCompleted"], awaited["FinishedSuccessfully"]) == ("Failed", True, False)
    assert "exited with code 3" in awaited["ErrorMessage"]


def test_a_rejected_sign_off_ends_the_awaited_task_failed_with_the_reason(seaway):
    created = succeeded(seaway.octopus.create_release("Gated"))
    [deployment] = succeeded(seaway.octopus.deploy("Gated", created["ReleaseVersion"], "Dev"))["deployments"]
    task_id = deployment["serverTaskId"]
    waiter = seaway.octopus.start_awaiting(task_id)
    try:
        # The client polls on; once it has seen the sign-off pending, alice rejects it with Seaway's CLI.
        assert any("HasPendingInterruptions: true" in line for line in waiter.polls()), "".join(waiter.log)
        with seaway.api() as api:
            [interruption] = api.get(f"/tasks/{task_id}").json()["waiting_for"]
        rejected = run_cli(["reject", interruption, "--reason", "The quotes are not attributed"], seaway.alice)
        assert rejected.returncode == 0, rejected.stderr
        awaited = waiter.result()
    finally:
        waiter.stop()

    assert succeeded(awaited)["State"] == "Failed"
    assert (awaited["IsCompleted"], awaited["FinishedSuccessfully"]) == (True, False)
    assert "Rejected by Alice Approver: The quotes are not attributed" in awaited["ErrorMessage"]
    assert {"State": "Executing", "HasPendingInterruptions": True} in awaited["polled"]


def test_a_wait_that_times_out_cancels_the_task_when_asked(seaway):
    created = succeeded(seaway.octopus.create_release("Gated"))
    [deployment] = succeeded(seaway.octopus.deploy("Gated", created["ReleaseVersion"], "Dev"))["deployments"]

    timed_out = seaway.octopus.await_task(deployment["serverTaskId"], timeout="2", cancel_on_timeout=True)

    assert failed(timed_out) == "Timeout reached after 2 seconds. Tasks were cancelled."
    with seaway.api() as api:
        list(follow_until_end(api, deployment["serverTaskId"]))
        assert api.get(f"/tasks/{deployment['serverTaskId']}").json()["state"] == "canceled"


# --- a server under a sub-path ----------------------------------------------------------------------------


def test_the_whole_flow_through_a_sub_path(quotes):
    with path_proxy(quotes.server.url, "/octopus") as proxy:
        client = OctopusClient(proxy.url, quotes.octopus.api_key)
        with_api = OctopusClient(proxy.url + "/api/", quotes.octopus.api_key)  # the client drops a trailing /api/

        assert succeeded(with_api.connect())["spaceId"] == "Spaces-1"
        assert succeeded(client.push(package(quotes, "Proxied", "1.0.0")))
        created = succeeded(client.create_release("Random Quotes", release_number="4.0.0", package=["Deploy:1.0.0"]))
        [deployment] = succeeded(client.deploy("Random Quotes", "4.0.0", "Dev"))["deployments"]
        awaited = succeeded(client.await_task(deployment["serverTaskId"]))

    assert awaited["State"] == "Success"
    assert steps_and_versions(release_in_seaway(quotes, created["ReleaseId"])) == {"Deploy": "1.0.0"}
    assert proxy.refused == []
    assert all(line.split()[1].startswith("/octopus/api") for line in proxy.forwarded)
    assert "POST /octopus/api/Spaces-1/packages/raw?overwriteMode=FailIfExists" in proxy.forwarded
    assert "POST /octopus/api/Spaces-1/releases/create/v1" in proxy.forwarded
