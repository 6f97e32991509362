"""Targets against a real sshd on loopback, through the SSH probe the server uses: the host key read and pinned
on first use only when trusted, a replaced host key refused as Unhealthy until trusted explicitly, a stopped
sshd Unavailable; then `seaway target add` and `seaway target check` against a real server process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.fixtures.engine import apply_yaml, make_settings
from tests.fixtures.server_process import admin_server, run_cli

from seaway.bootstrap import Services, build_services
from seaway.domain.targets import DeploymentTarget, HealthStatus
from seaway.engine.target_checks import CheckOutcome, run_health_check
from seaway.engine.target_probes import SshProbe


def key_text(server: Any) -> str:
    """The test's private key, whether the fixture hands over its text or the file it is in."""
    key = server.private_key
    return key if str(key).lstrip().startswith("-----BEGIN") else Path(key).read_text()


def space(server: Any, key_file: str = "") -> str:
    key = (
        f"private_key_file: {key_file}"
        if key_file
        else "private_key: |\n" + "".join(f"      {line}\n" for line in key_text(server).splitlines())
    )
    return (
        "environments: [Test]\n"
        "accounts:\n"
        f"  - name: sshd-key\n    type: ssh-key\n    username: {server.username}\n    {key}"
        + ("\n" if key_file else "")
    )


@pytest.fixture
async def services(db_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    built = build_services(make_settings(db_url, tmp_path / "data"))  # the real SSH probe
    try:
        yield built
    finally:
        await built.close()


async def unpinned_target(services: Services, server: Any) -> DeploymentTarget:
    target = (
        "targets:\n  - {name: loopback, environments: [Test], roles: [web], "
        f"endpoint: {{type: ssh, host: '{server.host}', port: {server.port}, account: sshd-key}}}}\n"
    )
    await apply_yaml(services, space(server) + target)
    async with services.store.reading() as uow:
        return await uow.targets.get_by_name("loopback")


async def check(services: Services, target: DeploymentTarget, **flags: bool) -> CheckOutcome:
    return await run_health_check(services.store, services.target_probe, services.clock, target, actor=None, **flags)


async def test_the_probe_reads_the_host_key_sshd_presents(sshd):
    assert await SshProbe().fingerprint(sshd.host, sshd.port) == sshd.fingerprint


async def test_a_host_key_is_pinned_on_first_use_only_when_trusted(services, sshd):
    target = await unpinned_target(services, sshd)

    refused = await check(services, target)
    trusted = await check(services, refused.target, trust=True)

    assert refused.report.status is HealthStatus.UNHEALTHY and sshd.fingerprint in refused.report.messages[0]
    assert refused.target.endpoint.fingerprint == ""
    assert trusted.pinned == sshd.fingerprint and trusted.target.endpoint.fingerprint == sshd.fingerprint
    assert trusted.report.status.usable, trusted.report


async def test_a_replaced_host_key_is_unhealthy_until_it_is_trusted_explicitly(services, sshd):
    pinned = (await check(services, await unpinned_target(services, sshd), trust=True)).target
    old_key = pinned.endpoint.fingerprint
    sshd.replace_host_key()

    changed = await check(services, pinned, trust=True)  # `trust` never replaces a pinned key
    replaced = await check(services, changed.target, trust_new_key=True)

    assert changed.report.status is HealthStatus.UNHEALTHY, changed.report
    assert "host key" in " ".join(changed.report.messages).lower()
    assert changed.pinned is None and changed.target.endpoint.fingerprint == old_key
    assert (replaced.pinned, replaced.replaced) == (sshd.fingerprint, old_key)
    assert replaced.report.status.usable, replaced.report


async def test_a_stopped_sshd_is_unavailable_and_healthy_again_once_started(services, sshd):
    pinned = (await check(services, await unpinned_target(services, sshd), trust=True)).target
    sshd.stop()
    down = await check(services, pinned)
    sshd.start()
    up = await check(services, down.target)

    assert down.report.status is HealthStatus.UNAVAILABLE and down.target.health is HealthStatus.UNAVAILABLE
    assert up.report.status.usable and up.target.health is up.report.status


@pytest.fixture
def server(tmp_path: Path) -> Iterator[dict[str, str]]:
    with admin_server(tmp_path) as (admin, _):
        yield admin


def test_target_add_pins_the_key_and_target_check_exits_by_health(server, sshd, tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id_ed25519").write_text(key_text(sshd))
    (tmp_path / "space.yaml").write_text(space(sshd, key_file="keys/id_ed25519"))
    applied = run_cli(["apply", str(tmp_path / "space.yaml")], server)
    assert applied.returncode == 0, applied.stderr

    first_key = sshd.fingerprint
    added = run_cli(
        ["target", "add", "loopback", "--environment", "Test", "--role", "web", "--host", sshd.host,
         "--port", str(sshd.port), "--account", "sshd-key"],
        server,
    )  # fmt: skip
    healthy = run_cli(["target", "check", "loopback"], server)
    sshd.replace_host_key()
    refused = run_cli(["target", "check", "loopback"], server)
    retrusted = run_cli(["target", "check", "loopback", "--trust-new-key"], server)

    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == ["added loopback (Machines-1)", f"host key {first_key} pinned"]
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.splitlines()[0] in ("loopback: Healthy", "loopback: HasWarnings")
    assert refused.returncode == 1 and "loopback: Unhealthy" in refused.stdout
    assert retrusted.returncode == 0, retrusted.stdout + retrusted.stderr
    assert f"host key {sshd.fingerprint} pinned (replacing {first_key})" in retrusted.stdout
