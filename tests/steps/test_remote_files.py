"""The deploy-package step on targets over a real sshd (one sshd serving several targets; its home is on
this machine, so the test reads what landed there): the package sent once into each target's cache, then
extracted, configured and its scripts run there, with the same conventions as on the server."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures.package_files import DirectorySource, build_package
from tests.fixtures.server_process import free_port
from tests.fixtures.step_logs import RecordedLog
from tests.steps.test_on_targets import ListedMachines, ssh_machine

from seaway.domain.packages import PackageFormat, PackageReference
from seaway.domain.process import Step, StepType
from seaway.domain.targets import Account, AccountType, DeploymentTarget, SshEndpoint
from seaway.engine.variables import StepRenderer
from seaway.steps.base import Failed, StepContext, Succeeded
from seaway.steps.deploy_package import make_deploy_package_steps
from seaway.steps.on_targets import Machine
from seaway.targets.base import Command, CommandResult, LineSink
from seaway.targets.ssh import SshTarget

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
FILES = {
    "appsettings.json": json.dumps({"App": {"Port": 80, "Environment": "none"}}),
    "config/app.conf": "listen #{App:Port} on #{Octopus.Machine.Name}",
    "Deploy.sh": (
        'name=$(get_octopusvariable "Octopus.Machine.Name")\n'
        'echo "deployed in $PWD" > "$HOME/deployed-$name"\n'
        'set_octopusvariable "Marker" "$HOME/deployed-$name"\n'
    ),
}


def context(tmp_path: Path, task_id: int, properties: dict, version: str = "1.0.1", **variables: str) -> StepContext:
    values = {"App:Port": "9090", "App:Environment": "Test", **variables}
    step = Step(
        "Deploy",
        StepType.DEPLOY_PACKAGE,
        {"package": {"id": "RandomQuotes"}, "run_on": "targets", "roles": ["web"], **properties},
    )
    return StepContext(
        task_id=task_id,
        step_index=0,
        step=step,
        environment="Test",
        variables=values,
        render=StepRenderer(values, lambda message: None, NOW),
        render_with=lambda extra: StepRenderer({**values, **extra}, lambda message: None, NOW),
        log=RecordedLog(),
        workdir=tmp_path / f"work-{task_id}",
        cancel=asyncio.Event(),
        now=lambda: NOW,
        package=PackageReference(step="Deploy", package_id="RandomQuotes", version=version, format=PackageFormat.ZIP),
        project="Quotes",
    )


def package_step(tmp_path: Path, machines: ListedMachines, source: DirectorySource | None = None):
    feed = source or DirectorySource(tmp_path / "feed")
    return make_deploy_package_steps(feed, machines, tmp_path / "server-applications", 60)


def publish(tmp_path: Path, version: str, files=FILES) -> str:
    """The package in the test's feed; its SHA-256."""
    path = build_package(tmp_path / "feed", "RandomQuotes", version, files, PackageFormat.ZIP)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def log_of(ctx: StepContext) -> str:
    return ctx.log.text()  # type: ignore[attr-defined]


def two_targets(sshd) -> ListedMachines:
    return ListedMachines([ssh_machine(sshd, "web-02", 2), ssh_machine(sshd, "web-01", 1)])


async def test_the_package_is_deployed_on_each_target_with_the_conventions_run_there(sshd, tmp_path):
    sha256 = publish(tmp_path, "1.0.1")
    properties = {"substitute_in_files": ["config/*.conf"], "structured_variables": ["appsettings.json"]}
    ctx = context(tmp_path, 7, properties)

    feed = DirectorySource(tmp_path / "feed")

    outcome = await package_step(tmp_path, two_targets(sshd), feed)(ctx)

    assert isinstance(outcome, Succeeded), outcome
    assert len(feed.fetched) == 1  # once for both targets
    log = log_of(ctx)
    seaway = sshd.home / ".seaway"
    assert (seaway / "packages" / f"{sha256}.zip").is_file()
    installed = {}
    for name in ("web-01", "web-02"):
        assert f"[{name}] Sending RandomQuotes.1.0.1.zip" in log or f"[{name}] The target's package cache" in log
        directory = Path(outcome.outputs[f"[{name}].Octopus.Action.Package.InstallationDirectoryPath"])
        installed[name] = directory
        assert directory.parent == seaway / "applications" / "Test" / "RandomQuotes"
        assert (directory / "config" / "app.conf").read_text() == f"listen 9090 on {name}"
        settings = json.loads((directory / "appsettings.json").read_text())
        assert settings == {"App": {"Port": 9090, "Environment": "Test"}}
        marker = sshd.home / f"deployed-{name}"
        assert marker.read_text() == f"deployed in {directory}\n"
        assert outcome.outputs[f"[{name}].Marker"] == str(marker)
        assert not (directory / "Deploy.sh").exists()  # removed once run, as on the server
        assert f"[{name}] Deployed RandomQuotes 1.0.1 to {directory}" in log
    assert {d.name for d in installed.values()} == {"1.0.1", "1.0.1_1"}  # two targets on one machine
    journal = json.loads((seaway / "applications" / "DeploymentJournal.json").read_text())
    assert sorted(e["machine"] for e in journal["installations"]) == ["web-01", "web-02"]
    assert not (tmp_path / "server-applications").exists()  # nothing was deployed on the server


async def test_a_second_deployment_of_the_same_package_sends_nothing_and_a_new_version_is_sent(sshd, tmp_path):
    sha256 = publish(tmp_path, "1.0.1")
    step = package_step(tmp_path, two_targets(sshd))
    assert isinstance(await step(context(tmp_path, 7, {})), Succeeded)
    cached = sshd.home / ".seaway" / "packages" / f"{sha256}.zip"
    sent = cached.stat()

    again = context(tmp_path, 8, {})
    assert isinstance(await step(again), Succeeded)

    log = log_of(again)
    assert "Sending" not in log
    for name in ("web-01", "web-02"):
        assert f"[{name}] The target's package cache already holds RandomQuotes.1.0.1.zip (SHA-256 {sha256})" in log
    assert (cached.stat().st_ino, cached.stat().st_mtime_ns) == (sent.st_ino, sent.st_mtime_ns)

    newer_sha = publish(tmp_path, "1.0.2", {**FILES, "v": "1.0.2"})
    newer = context(tmp_path, 9, {}, version="1.0.2")
    assert isinstance(await step(newer), Succeeded)
    assert "Sending RandomQuotes.1.0.2.zip" in log_of(newer)
    assert (sshd.home / ".seaway" / "packages" / f"{newer_sha}.zip").is_file()


async def test_retention_on_the_target_keeps_the_last_installations_of_that_target(sshd, tmp_path):
    step = package_step(tmp_path, ListedMachines([ssh_machine(sshd, "web-01", 1)]))
    directories = []
    for task_id, version in ((7, "1.0.1"), (8, "1.0.2"), (9, "1.0.3")):
        publish(tmp_path, version)
        ctx = context(tmp_path, task_id, {"keep_installs": 2}, version=version)
        outcome = await step(ctx)
        assert isinstance(outcome, Succeeded), outcome
        directories.append(Path(outcome.outputs["Octopus.Action.Package.InstallationDirectoryPath"]))

    assert not directories[0].exists()
    assert directories[1].is_dir() and directories[2].is_dir()
    assert f"Removed the older installation {directories[0]}" in log_of(ctx)


async def test_a_custom_installation_directory_on_the_target_is_purged_and_filled(sshd, tmp_path):
    publish(tmp_path, "1.0.1")
    srv = sshd.home / "srv" / "quotes"
    (srv / "logs").mkdir(parents=True)
    (srv / "logs" / "keep.log").write_text("old log")
    (srv / "stale.txt").write_text("from before")
    os.chown(sshd.home / "srv", 4242, 4242)
    for path in (srv, srv / "logs", srv / "logs" / "keep.log", srv / "stale.txt"):
        os.chown(path, 4242, 4242)
    properties = {
        "install_to": "#{Root}/quotes",
        "purge_install_to": True,
        "purge_exclusions": ["logs/**"],
        "substitute_in_files": ["config/*.conf"],
    }
    ctx = context(tmp_path, 7, properties, Root=str(sshd.home / "srv"))

    outcome = await package_step(tmp_path, ListedMachines([ssh_machine(sshd, "web-01", 1)]))(ctx)

    assert isinstance(outcome, Succeeded), outcome
    assert outcome.outputs["Octopus.Action.Package.InstallationDirectoryPath"] == str(srv)
    assert (srv / "config" / "app.conf").read_text() == "listen 9090 on web-01"
    assert (sshd.home / "deployed-web-01").read_text() == f"deployed in {srv}\n"  # Deploy.sh ran there
    assert (srv / "logs" / "keep.log").read_text() == "old log"
    assert not (srv / "stale.txt").exists()


class PathOnly:
    """A real SSH target whose commands find only the tools in `path`: a machine without some of them."""

    def __init__(self, target: SshTarget, path: Path) -> None:
        self.target, self.path = target, path

    async def run(self, command: Command, *, on_line: LineSink, cancel: asyncio.Event) -> CommandResult:
        env = {**command.env, "PATH": str(self.path)}
        return await self.target.run(
            Command(command.argv, env, command.cwd, command.timeout), on_line=on_line, cancel=cancel
        )

    async def work_dir(self) -> str:
        return await self.target.work_dir()

    async def upload(self, local: Path, remote: str) -> None:
        await self.target.upload(local, remote)

    async def download(self, remote: str, local: Path) -> None:
        await self.target.download(remote, local)


def machine_with_only(sshd, tools: Sequence[str]) -> Machine:
    bin_dir = sshd.base / "limited-bin"
    bin_dir.mkdir()
    bin_dir.chmod(0o755)
    for tool in tools:
        (bin_dir / tool).symlink_to(f"/usr/bin/{tool}")
    plain = ssh_machine(sshd, "web-01", 1)
    assert isinstance(plain.transport, SshTarget)
    return Machine(plain.target, PathOnly(plain.transport, bin_dir))


async def test_a_target_without_python3_is_refused_with_a_clear_message_and_nothing_sent(sshd, tmp_path):
    publish(tmp_path, "1.0.1")
    ctx = context(tmp_path, 7, {})

    outcome = await package_step(tmp_path, ListedMachines([machine_with_only(sshd, ["bash", "mkdir", "tar"])]))(ctx)

    assert isinstance(outcome, Failed)
    assert outcome.error == (
        "failed on 1 of 1 target(s): web-01: cannot deploy RandomQuotes 1.0.1 there: python3 is missing from PATH "
        "on the target (a deploy-package step needs bash, tar and python3 there)"
    )
    assert list((sshd.home / ".seaway" / "packages").iterdir()) == []


async def test_a_target_without_tar_is_refused_too(sshd, tmp_path):
    publish(tmp_path, "1.0.1")

    outcome = await package_step(tmp_path, ListedMachines([machine_with_only(sshd, ["bash", "mkdir", "python3"])]))(
        context(tmp_path, 7, {})
    )

    assert isinstance(outcome, Failed) and "tar is missing from PATH on the target" in outcome.error


async def test_a_target_that_cannot_be_reached_fails_its_part_naming_it_while_the_others_deploy(sshd, tmp_path):
    publish(tmp_path, "1.0.1")
    account = Account("deploy", AccountType.SSH_KEY, sshd.username, sshd.private_key)
    down = DeploymentTarget(
        "web-02", ("Test",), ("web",), SshEndpoint(sshd.host, free_port(), "deploy", sshd.fingerprint), id=2
    )
    machines = ListedMachines(
        [ssh_machine(sshd, "web-01", 1), Machine(down, SshTarget(down.endpoint, account, connect_timeout=5))]
    )
    ctx = context(tmp_path, 7, {})

    outcome = await package_step(tmp_path, machines)(ctx)

    assert isinstance(outcome, Failed)
    assert outcome.error.startswith(
        f"failed on 1 of 2 target(s): web-02: cannot deploy RandomQuotes 1.0.1 there: cannot reach {sshd.host}:"
    )
    assert (sshd.home / "deployed-web-01").is_file()


class WatchedLog(RecordedLog):
    """A recorded log that says when a line arrives, so a test can act at that moment without waiting blind."""

    def __init__(self, awaited: str) -> None:
        super().__init__()
        self.awaited, self.arrived = awaited, asyncio.Event()

    async def write(self, message: str, level: str = "info") -> None:
        await super().write(message, level)
        if message == self.awaited:
            self.arrived.set()


async def deploy_script_running(sshd, tmp_path) -> tuple[StepContext, asyncio.Task]:
    """A deployment on web-01 whose Deploy.sh has started and runs until stopped."""
    publish(tmp_path, "1.0.1", {**FILES, "Deploy.sh": "echo started\nexec sleep 600\n"})
    ctx = context(tmp_path, 7, {})
    log = ctx.log = WatchedLog("[web-01] started")
    running = asyncio.create_task(package_step(tmp_path, ListedMachines([ssh_machine(sshd, "web-01", 1)]))(ctx))
    await log.arrived.wait()
    return ctx, running


async def test_a_target_going_down_during_its_deploy_script_fails_the_step_naming_it(sshd, tmp_path):
    _, running = await deploy_script_running(sshd, tmp_path)

    sshd.stop()
    outcome = await running

    assert isinstance(outcome, Failed)
    assert outcome.error.startswith(f"failed on 1 of 1 target(s): web-01: lost the connection to {sshd.host}:")


async def test_a_canceled_deployment_stops_the_script_on_the_target_and_journals_the_failed_attempt(sshd, tmp_path):
    ctx, running = await deploy_script_running(sshd, tmp_path)

    ctx.cancel.set()
    outcome = await running

    assert isinstance(outcome, Failed)
    assert outcome.error == "failed on 1 of 1 target(s): web-01: Deploy.sh: the script was canceled"
    journal = json.loads((sshd.home / ".seaway" / "applications" / "DeploymentJournal.json").read_text())
    assert [(e["version"], e["succeeded"], e["machine"]) for e in journal["installations"]] == [
        ("1.0.1", False, "web-01")
    ]
