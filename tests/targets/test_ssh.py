"""SshTarget against a real sshd on loopback: pinned host keys, key and password accounts, commands streamed,
stopped on timeout and cancel, SFTP uploads, a machine going down mid-command, and health checks."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath

import pytest
from tests.fixtures.sshd import Sshd

from seaway.domain.targets import Account, AccountType, HealthStatus, SshEndpoint
from seaway.errors import InvalidInput, TargetError
from seaway.targets.base import Command, CommandResult
from seaway.targets.ssh import SshTarget, fetch_host_fingerprint
from seaway.targets.ssh_health import Probe, report

ENV = {"GREETING": 'it\'s "quoted" $HOME `nothing` run'}


class Lines:
    """Collects a command's lines; `when(text)` is set once a line equal to `text` arrived."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self._waiting: dict[str, asyncio.Event] = {}

    def when(self, text: str) -> asyncio.Event:
        return self._waiting.setdefault(text, asyncio.Event())

    async def __call__(self, level: str, line: str) -> None:
        self.seen.append((level, line))
        self.when(line).set()

    def of(self, level: str) -> list[str]:
        return [line for seen_level, line in self.seen if seen_level == level]


def key_account(server: Sshd, key: str | None = None) -> Account:
    return Account("deploy", AccountType.SSH_KEY, server.username, key if key is not None else server.private_key)


def password_account(server: Sshd, password: str) -> Account:
    return Account("deploy", AccountType.PASSWORD, server.username, password)


def endpoint(server: Sshd, fingerprint: str | None = None) -> SshEndpoint:
    return SshEndpoint(server.host, server.port, "deploy", server.fingerprint if fingerprint is None else fingerprint)


@pytest.fixture
async def target(sshd: Sshd) -> AsyncIterator[SshTarget]:
    async with SshTarget(endpoint(sshd), key_account(sshd)) as opened:
        yield opened


async def run(
    target: SshTarget,
    script: str,
    lines: Lines,
    *,
    cwd: PurePosixPath | None = None,
    cancel: asyncio.Event | None = None,
    timeout: float = 30,
) -> CommandResult:
    home = PurePosixPath(await target.home())
    command = Command(["bash", "--noprofile", "--norc", "-c", script], ENV, Path(cwd or home), timeout)
    return await target.run(command, on_line=lines, cancel=cancel or asyncio.Event())


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rpartition(")")[2].split()[0] != "Z"  # a zombie no longer runs
    except FileNotFoundError:
        return False


def _new_key(tmp_path: Path, passphrase: str = "") -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", str(tmp_path / "k")], check=True)
    return (tmp_path / "k").read_text()


def _accepted_logins(server: Sshd) -> int:
    return server.log.read_text().count("Accepted ")


# The host key and its fingerprint


async def test_the_fingerprint_fetched_is_the_one_ssh_keygen_prints(sshd):
    assert await fetch_host_fingerprint(sshd.host, sshd.port) == sshd.fingerprint
    assert _accepted_logins(sshd) == 0


async def test_fetching_the_fingerprint_of_a_host_that_is_down_is_worth_retrying(sshd):
    sshd.stop()

    with pytest.raises(TargetError) as refused:
        await fetch_host_fingerprint(sshd.host, sshd.port, timeout=5)

    assert refused.value.retryable
    assert refused.value.message.startswith(f"cannot reach {sshd.host}:{sshd.port}: ")


async def test_a_changed_host_key_is_refused_with_both_fingerprints_and_nothing_runs(sshd):
    pinned = sshd.fingerprint
    new = sshd.replace_host_key()
    marker = sshd.home / "ran"

    async with SshTarget(endpoint(sshd, pinned), key_account(sshd)) as target:
        with pytest.raises(TargetError) as refused:
            await run(target, f"touch {marker}", Lines())

    assert not refused.value.retryable
    assert refused.value.message == (
        f"the host key of {sshd.host}:{sshd.port} changed: expected {pinned}, got {new}"
        " — if this is expected, check the key and re-pin the target"
    )
    assert not marker.exists()
    assert _accepted_logins(sshd) == 0


async def test_a_target_with_no_pinned_fingerprint_is_refused(sshd):
    async with SshTarget(endpoint(sshd, ""), key_account(sshd)) as target:
        with pytest.raises(TargetError, match="no host key is pinned") as refused:
            await target.home()

    assert not refused.value.retryable


# Accounts


async def test_a_password_account_logs_in(sshd):
    async with SshTarget(endpoint(sshd), password_account(sshd, sshd.password)) as target:
        assert await target.home() == str(sshd.home)


async def test_a_wrong_password_is_refused_naming_the_user_and_the_host(sshd):
    async with SshTarget(endpoint(sshd), password_account(sshd, "not-the-password")) as target:
        with pytest.raises(TargetError) as refused:
            await target.home()

    assert not refused.value.retryable
    assert refused.value.message == f"{sshd.host}:{sshd.port} refused the password of user 'seaway-ssh'"


async def test_a_key_that_is_not_authorized_is_refused(sshd, tmp_path):
    async with SshTarget(endpoint(sshd), key_account(sshd, _new_key(tmp_path))) as target:
        with pytest.raises(TargetError) as refused:
            await target.home()

    assert not refused.value.retryable
    assert refused.value.message == f"{sshd.host}:{sshd.port} refused the SSH key of user 'seaway-ssh'"


TRUNCATED_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


@pytest.mark.parametrize("key", ["", "not a key", TRUNCATED_KEY])
def test_a_key_that_does_not_parse_is_invalid_input_on_the_private_key(key):
    with pytest.raises(InvalidInput) as invalid:
        SshTarget(SshEndpoint("127.0.0.1"), Account("a", AccountType.SSH_KEY, "u", key))

    assert invalid.value.field == "private_key"


def test_a_key_protected_by_a_passphrase_is_invalid_input_saying_so(tmp_path):
    key = _new_key(tmp_path, passphrase="secret words")

    with pytest.raises(InvalidInput, match="passphrase") as invalid:
        SshTarget(SshEndpoint("127.0.0.1"), Account("a", AccountType.SSH_KEY, "u", key))

    assert invalid.value.field == "private_key"


# Running commands


async def test_a_command_runs_in_its_directory_with_its_environment_streaming_its_lines_in_order(target, sshd):
    lines = Lines()
    fifo = sshd.home / "go"
    os.mkfifo(fifo)
    os.chown(fifo, 4242, 4242)
    cwd = PurePosixPath(sshd.home) / "work dir" / "step 1"
    script = (
        f'echo "$GREETING"; echo "in $PWD"; echo warn >&2; echo first; read -r _ < {fifo}; echo second; echo late >&2'
    )

    async def release_once_first_arrived() -> None:
        await lines.when("first").wait()
        # The command is still running: it waits for this write, so "first" was streamed while it ran.
        await asyncio.to_thread(fifo.write_text, "go\n")

    result, _ = await asyncio.gather(run(target, script, lines, cwd=cwd), release_once_first_arrived())

    assert (result.exit_code, result.timed_out, result.canceled) == (0, False, False)
    assert lines.of("info") == [ENV["GREETING"], f"in {cwd}", "first", "second"]
    assert lines.of("error") == ["warn", "late"]
    assert Path(cwd).is_dir()


async def test_the_exit_code_is_the_commands(target):
    assert (await run(target, "exit 3", Lines())).exit_code == 3
    assert (await run(target, "no-such-command-here", Lines())).exit_code == 127


async def test_output_without_a_final_newline_is_a_line(target):
    lines = Lines()

    await run(target, 'printf "no newline"; printf "partial" >&2', lines)

    assert sorted(lines.seen) == [("error", "partial"), ("info", "no newline")]


async def test_commands_reuse_one_connection(target, sshd):
    for _ in range(3):
        assert (await run(target, "true", Lines())).exit_code == 0

    assert _accepted_logins(sshd) == 1


async def test_a_command_past_its_timeout_is_stopped_with_everything_it_started(target, sshd):
    child_pid = sshd.home / "child.pid"
    lines = Lines()

    result = await run(target, f"sleep 60 & echo $! > {child_pid}; echo started; wait", lines, timeout=1)

    assert result.timed_out and not result.canceled and result.exit_code != 0
    assert lines.of("info") == ["started"]
    assert not _alive(int(child_pid.read_text()))
    assert list((sshd.home / ".seaway" / "run").iterdir()) == []


async def test_cancel_stops_the_command_and_everything_it_started(target, sshd):
    child_pid = sshd.home / "child.pid"
    lines = Lines()
    cancel = asyncio.Event()

    async def cancel_once_started() -> None:
        await lines.when("started").wait()
        cancel.set()

    script = f"sleep 60 & echo $! > {child_pid}; echo started; wait"
    result, _ = await asyncio.gather(run(target, script, lines, cancel=cancel), cancel_once_started())

    assert result.canceled and not result.timed_out and result.exit_code != 0
    assert not _alive(int(child_pid.read_text()))


async def test_a_run_whose_caller_gives_up_stops_the_command_there(target, sshd):
    child_pid = sshd.home / "child.pid"
    lines = Lines()
    running = asyncio.create_task(run(target, f"sleep 60 & echo $! > {child_pid}; echo started; wait", lines))
    await lines.when("started").wait()

    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    assert not _alive(int(child_pid.read_text()))


async def test_a_target_going_down_mid_command_is_a_retryable_error_and_it_is_reached_again_later(target, sshd):
    lines = Lines()

    async def down_once_started() -> None:
        await lines.when("started").wait()
        sshd.stop()

    with pytest.raises(TargetError) as lost:
        await asyncio.gather(run(target, "echo started; sleep 60", lines), down_once_started())

    assert lost.value.retryable
    assert lost.value.message.startswith(f"lost the connection to {sshd.host}:{sshd.port}")

    sshd.start()
    assert (await run(target, "echo back", Lines())).exit_code == 0


async def test_an_environment_variable_with_an_invalid_name_is_invalid_input(target):
    command = Command(["true"], {"NOT-A-NAME": "x"}, Path("/tmp"), 10)

    with pytest.raises(InvalidInput) as invalid:
        await target.run(command, on_line=Lines(), cancel=asyncio.Event())

    assert invalid.value.field == "env"


# Files and directories


async def test_a_file_uploads_over_sftp_into_directories_it_creates(target, sshd, tmp_path):
    local = tmp_path / "package.tar.gz"
    local.write_bytes(os.urandom(300_000))
    remote = f"{await target.work_dir()}/Files/nested/package.tar.gz"

    await target.upload(local, remote)

    assert Path(remote).read_bytes() == local.read_bytes()


async def test_a_directory_uploads_with_everything_in_it(target, sshd, tmp_path):
    (tmp_path / "app" / "bin").mkdir(parents=True)
    (tmp_path / "app" / "bin" / "run.sh").write_text("echo hi\n")
    (tmp_path / "app" / "README").write_text("read me")

    await target.upload(tmp_path / "app", f"{sshd.home}/.seaway/Applications/app")

    uploaded = sshd.home / ".seaway" / "Applications" / "app"
    assert (uploaded / "bin" / "run.sh").read_text() == "echo hi\n"
    assert (uploaded / "README").read_text() == "read me"


async def test_a_relative_upload_lands_under_home(target, sshd, tmp_path):
    local = tmp_path / "a.txt"
    local.write_text("hello")

    await target.upload(local, ".seaway/a.txt")

    assert (sshd.home / ".seaway" / "a.txt").read_text() == "hello"


async def test_an_upload_where_the_account_may_not_write_names_the_path(target, tmp_path):
    local = tmp_path / "a.txt"
    local.write_text("hello")

    with pytest.raises(TargetError, match=r"cannot upload .*a\.txt to .*:/root/forbidden/a\.txt") as refused:
        await target.upload(local, "/root/forbidden/a.txt")

    assert not refused.value.retryable


async def test_the_work_directory_is_dot_seaway_under_home_and_exists(target, sshd):
    assert await target.home() == str(sshd.home)
    assert await target.work_dir() == f"{sshd.home}/.seaway"
    assert (sshd.home / ".seaway").is_dir()


# Health checks


async def test_a_healthy_target_reports_the_versions_it_found(target):
    bash = subprocess.run(
        ["/bin/bash", "-c", 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"'], capture_output=True, text=True
    ).stdout.strip()

    health = await target.check()

    assert health.status is HealthStatus.HEALTHY, health.messages
    [summary] = health.messages
    assert re.fullmatch(rf"bash {re.escape(bash)}, tar \d+\.\d+(\.\d+)?, python 3\.\d+\.\d+, \d+\.\d GB free", summary)


async def test_a_target_that_is_down_is_unavailable(target, sshd):
    sshd.stop()

    health = await target.check()

    assert health.status is HealthStatus.UNAVAILABLE
    assert health.messages[0].startswith(f"cannot reach {sshd.host}:{sshd.port}")


async def test_a_changed_host_key_makes_the_target_unhealthy_saying_so(sshd):
    pinned = sshd.fingerprint
    sshd.replace_host_key()

    async with SshTarget(endpoint(sshd, pinned), key_account(sshd)) as target:
        health = await target.check()

    assert health.status is HealthStatus.UNHEALTHY
    assert health.messages[0].startswith(f"the host key of {sshd.host}:{sshd.port} changed")


async def test_refused_credentials_make_the_target_unhealthy(sshd):
    async with SshTarget(endpoint(sshd), password_account(sshd, "wrong")) as target:
        health = await target.check()

    assert health.status is HealthStatus.UNHEALTHY
    assert "refused the password" in health.messages[0]


async def test_a_missing_python3_is_named_and_makes_the_target_unhealthy(target, sshd):
    # A PATH with tar and df but no python3, inside the session user's home so it can reach it.
    tools = sshd.home / "tools"
    tools.mkdir()
    for tool in ("tar", "df"):
        (tools / tool).symlink_to(subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip())

    health = await target.check(path=str(tools))

    assert health.status is HealthStatus.UNHEALTHY
    assert health.messages[0] == "python3 is missing from PATH (Python 3.8 or later is needed)"
    assert re.fullmatch(r"bash [\d.]+, tar [\d.]+, \d+\.\d GB free", health.messages[-1])


@pytest.mark.parametrize(
    ("probe", "status", "message"),
    [
        (
            Probe("5.2", "tar (GNU tar) 1.34", "3.6.9", "/home/d", 50 * 10**9),
            HealthStatus.UNHEALTHY,
            "python3 is 3.6.9; Python 3.8 or later is needed",
        ),
        (
            Probe("5.2", None, "3.11.2", "/home/d", 50 * 10**9),
            HealthStatus.UNHEALTHY,
            "tar is missing from PATH (packages are unpacked with it)",
        ),
        (
            Probe(None, "tar 1.34", "3.11.2", "/home/d", 50 * 10**9),
            HealthStatus.UNHEALTHY,
            "bash is missing at /bin/bash (every script runs with it)",
        ),
        (
            Probe("5.2", "tar 1.34", "3.11.2", "/home/d", 312 * 10**6),
            HealthStatus.HAS_WARNINGS,
            "only 312 MB free under /home/d (less than 500 MB)",
        ),
        (
            Probe("5.2", "tar 1.34", "3.11.2", "/home/d", None),
            HealthStatus.HAS_WARNINGS,
            "could not measure the free disk space under /home/d",
        ),
    ],
)
def test_what_the_probe_found_decides_the_health(probe, status, message):
    health = report(probe)

    assert (health.status, health.messages[0]) == (status, message)


async def test_a_directory_downloads_with_everything_in_it(target, sshd, tmp_path):
    remote = Path(await target.work_dir()) / "out"
    (remote / "sub").mkdir(parents=True)
    (remote / "a.txt").write_text("one")
    (remote / "sub" / "b").write_bytes(os.urandom(100_000))

    await target.download(str(remote), tmp_path / "got" / "out")

    assert (tmp_path / "got" / "out" / "a.txt").read_text() == "one"
    assert (tmp_path / "got" / "out" / "sub" / "b").read_bytes() == (remote / "sub" / "b").read_bytes()


async def test_a_missing_remote_file_is_a_target_error_naming_it(target, tmp_path):
    with pytest.raises(TargetError, match=r"cannot download .*\.seaway/none"):
        await target.download(".seaway/none", tmp_path / "none")
