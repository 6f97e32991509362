"""The README's walkthrough, for real: `seaway server --demo` (which pushes RandomQuotes 1.0.0), then the CLI
packs and pushes 1.0.1, creates a release that picks it and deploys Random Quotes to Test as
the internal deployer and to Prod as the production deployer (Prod refused before Test, and refused to the
internal deployer), a stakeholder signs off each, and the app answers on its ports."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

import yaml
from tests.fixtures.server_process import SEAWAY, ServerProcess, free_port, run_cli, seaway_env

DEMO = Path(__file__).resolve().parents[2] / "examples" / "random-quotes" / "seaway.yaml"


def demo_on_free_ports(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    document = yaml.safe_load(DEMO.read_text())
    ports = {"Dev": free_port(), "Test": free_port(), "Prod": free_port()}
    for variable in document["projects"][0]["variables"]:
        if variable["name"] == "App:Port":
            variable["value"] = str(ports[variable["scope"]["environment"][0]])
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    shutil.copytree(DEMO.parent / "app", tmp_path / "app")  # the app the demo packs as RandomQuotes 1.0.0
    return path, ports


def approve_when_waiting(env: dict[str, str], task_id: str) -> None:
    """Follow the task's log until it waits for the sign-off, then approve it as alice."""
    with subprocess.Popen(
        [*SEAWAY, "task", "log", task_id, "--follow"], env=env, stdout=subprocess.PIPE, text=True
    ) as follower:
        assert follower.stdout is not None
        for line in follower.stdout:
            if "is waiting" in line:
                break
        follower.terminate()
    pending = run_cli(["approvals", "list", "--mine"], env)
    assert pending.returncode == 0, pending.stderr
    interruption = re.search(r"Interruptions-\d+", pending.stdout)
    assert interruption, pending.stdout
    approved = run_cli(["approve", interruption.group(0), "--note", "looks right"], env)
    assert approved.returncode == 0, approved.stderr


def page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        return response.read().decode()


def deploy_and_sign_off(deployer: dict[str, str], approver: dict[str, str], version: str, environment: str) -> str:
    """`seaway deploy --wait` as `deployer`, approved by `approver` once it waits; its output."""
    with subprocess.Popen(
        [*SEAWAY, "deploy", "--project", "Random Quotes", "--release", version, "--to", environment, "--wait"],
        env=deployer,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as deploying:
        assert deploying.stdout is not None
        task_id = deploying.stdout.readline().split()[1]
        approve_when_waiting(approver, task_id)
        output, errors = deploying.communicate(timeout=120)
    assert deploying.returncode == 0, output + errors
    return output


def test_the_walkthrough_deploys_random_quotes_to_test_then_prod(tmp_path):
    demo_file, ports = demo_on_free_ports(tmp_path)
    data_dir = tmp_path / "data"
    env = seaway_env(f"sqlite:///{tmp_path / 'seaway.db'}", data_dir)
    env["SEAWAY_AGENT_PORT"] = str(free_port())  # the demo's own agent dials it
    server = ServerProcess(env, free_port(), ("--demo", "--demo-file", str(demo_file)))
    server.start()
    try:
        printed = "".join(server.output)
        key = re.search(r"Admin API key: (\S+)", printed)
        assert key, printed
        assert "/signin" in printed
        admin = {**env, "SEAWAY_URL": server.url, "SEAWAY_API_KEY": key.group(1)}
        as_user = {
            name: {**admin, "SEAWAY_API_KEY": found.group(1)}
            for name in ("internaldeployer", "productiondeployer")
            if (found := re.search(rf"API key of {name}: (\S+)", printed))
        }
        assert set(as_user) == {"internaldeployer", "productiondeployer"}, printed
        alice = {**admin, "SEAWAY_API_KEY": run_cli(["admin", "create-api-key", "alice"], env).stdout.strip()}

        assert run_cli(["package", "list"], admin).stdout.split()[:2] == ["RandomQuotes", "1.0.0"]
        packed = run_cli(
            ["package", "pack", "--id", "RandomQuotes", "--version", "1.0.1", "--base-path", str(tmp_path / "app"),
             "--out-folder", str(tmp_path / "dist")],
            admin,
        )  # fmt: skip
        assert packed.returncode == 0, packed.stderr
        pushed = run_cli(["package", "push", packed.stdout.strip()], admin)
        assert pushed.stdout.strip() == "RandomQuotes 1.0.1 created", pushed.stderr

        version = run_cli(["release", "create", "--project", "Random Quotes"], admin).stdout.strip()
        refused = run_cli(["deploy", "--project", "Random Quotes", "--release", version, "--to", "Prod"], admin)
        assert refused.returncode == 2 and "Test" in refused.stderr

        output = deploy_and_sign_off(as_user["internaldeployer"], alice, version, "Test")
        assert "Connecting with password ********" in output
        assert "[quotes-test] " in output  # deployed by the demo's agent
        assert "Running in Test &middot; release 0.0.1 &middot; package 1.0.1" in page(ports["Test"])

        not_theirs = ["deploy", "--project", "Random Quotes", "--release", version, "--to", "Prod"]
        forbidden = run_cli(not_theirs, as_user["internaldeployer"])
        assert forbidden.returncode == 2
        assert forbidden.stderr.strip() == 'error: missing permission deployment.create for environment "Prod"'

        deploy_and_sign_off(as_user["productiondeployer"], alice, version, "Prod")
        assert "Running in Prod" in page(ports["Prod"])
    finally:
        server.stop()
        for pid_file in data_dir.rglob("random-quotes/*/app.pid"):  # started by Deploy.sh, on the agent
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
