"""The probe Seaway reaches targets with: SSH, through `seaway.targets.ssh` (loaded when first used, so a
server that never talks to a target never loads the SSH client)."""

from __future__ import annotations

from seaway.domain.targets import Account, DeploymentTarget, HealthReport
from seaway.errors import TargetError


class SshProbe:
    def __init__(self, *, connect_timeout: float = 10) -> None:
        self.connect_timeout = connect_timeout

    async def fingerprint(self, host: str, port: int) -> str:
        from seaway.targets.ssh import fetch_host_fingerprint

        try:
            return await fetch_host_fingerprint(host, port, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise TargetError(f"cannot connect to {host}:{port}: {exc}", retryable=True) from None

    async def check(self, target: DeploymentTarget, account: Account) -> HealthReport:
        from seaway.targets.ssh import SshTarget

        ssh = SshTarget(target.ssh, account, connect_timeout=self.connect_timeout)
        try:
            return await ssh.check()
        except (OSError, TimeoutError) as exc:
            raise TargetError(f"cannot connect to {target.endpoint.address}: {exc}", retryable=True) from None
        finally:
            await ssh.close()
