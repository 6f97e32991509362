"""SSH targets through asyncssh: the host key pinned by its SHA-256 fingerprint, key or password accounts,
commands under /bin/bash (non-login), files over SFTP, and everything left on the machine under
`$HOME/.seaway`.

One connection per target is opened on first use and reused until `close()` (or the end of `async with`);
a connection that was lost is opened again by the next call. Nothing here reads ~/.ssh (config,
known_hosts, keys) or an ssh-agent: a target connects with its account and its pinned key only.
"""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
import shlex
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

import asyncssh

from seaway.domain.targets import Account, AccountType, HealthReport, HealthStatus, SshEndpoint
from seaway.errors import InvalidInput, TargetError
from seaway.targets import ssh_health
from seaway.targets.base import Command, CommandResult, LineSink, wait_for_end
from seaway.targets.local import DRAIN_SECONDS, TERMINATE_GRACE_SECONDS
from seaway.targets.ssh_process import StreamedSession, in_bash, start_script, stop_script

# OpenSSH's own order, so the key negotiated is the one `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`
# shows on a usual server, and the same key whenever Seaway connects; host certificates are not offered.
HOST_KEY_ALGORITHMS = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
)
# A machine that vanishes without closing the connection is noticed after about a minute.
KEEPALIVE_SECONDS = 15
KEEPALIVE_COUNT = 4
# Short shell commands Seaway runs itself (home, the stop script, the health probe) get this long.
HELPER_TIMEOUT_SECONDS = 30.0
WORK_DIR = ".seaway"

# Nothing trusted up front (an empty known_hosts would mean ~/.ssh/known_hosts): `_PinnedHost` decides.
_NO_KNOWN_HOSTS: tuple[tuple[()], tuple[()], tuple[()]] = ((), (), ())


async def fetch_host_fingerprint(host: str, port: int, *, timeout: float = 10) -> str:
    """The SHA-256 fingerprint (`SHA256:...`, as ssh-keygen prints it) of the host key `host` presents,
    read during the handshake, before any authentication."""
    try:
        async with asyncio.timeout(timeout):
            key = await asyncssh.get_server_host_key(
                host, port, config=[], server_host_key_algs=list(HOST_KEY_ALGORITHMS)
            )
    except (OSError, TimeoutError, asyncssh.Error) as exc:
        raise TargetError(f"cannot reach {host}:{port}: {_reason(exc)}", retryable=True) from exc
    if key is None:
        raise TargetError(f"{host}:{port} presented no host key", retryable=False)
    return str(key.get_fingerprint("sha256"))


def parse_private_key(text: str) -> asyncssh.SSHKey:
    """An account's private key (OpenSSH or PEM text); InvalidInput on `private_key` when it does not parse."""
    try:
        return asyncssh.import_private_key(text)
    except asyncssh.KeyImportError as exc:
        if "passphrase" in str(exc).lower():
            message = "the private key is protected by a passphrase; give it unencrypted"
        else:
            message = f"the private key does not parse as an OpenSSH or PEM private key: {exc}"
        raise InvalidInput(message, field="private_key") from exc


class _PinnedHost(asyncssh.SSHClient):
    """Trusts exactly one host key, by fingerprint, and remembers the one the server presented."""

    def __init__(self, fingerprint: str) -> None:
        self.expected = fingerprint.strip()
        self.presented: str | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        self.presented = str(key.get_fingerprint("sha256"))
        return bool(self.expected) and self.presented == self.expected


class SshTarget:
    def __init__(self, endpoint: SshEndpoint, account: Account, *, connect_timeout: float = 10) -> None:
        self.endpoint = endpoint
        self.account = account
        self.connect_timeout = connect_timeout
        self._key = parse_private_key(account.secret) if account.type is AccountType.SSH_KEY else None
        self._connection: asyncssh.SSHClientConnection | None = None
        self._connecting = asyncio.Lock()
        self._home: str | None = None

    @property
    def address(self) -> str:
        return f"{self.endpoint.host}:{self.endpoint.port}"

    async def __aenter__(self) -> SshTarget:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
            await connection.wait_closed()

    async def run(self, command: Command, *, on_line: LineSink, cancel: asyncio.Event) -> CommandResult:
        token = uuid.uuid4().hex
        script = in_bash(start_script(command, token))
        connection = await self.connect()
        session = StreamedSession()
        try:
            channel, _ = await connection.create_session(lambda: session, script, encoding="utf-8", errors="replace")
        except asyncssh.ChannelOpenError as exc:
            raise TargetError(f"{self.address} refused a new session: {exc.reason}", retryable=True) from exc
        except (asyncssh.Error, OSError) as exc:
            raise self._lost(exc) from exc
        channel.write_eof()
        pump = asyncio.create_task(session.pump(on_line))
        ended = asyncio.create_task(session.ended(DRAIN_SECONDS))
        try:
            timed_out, was_canceled = await wait_for_end(ended, cancel, command.timeout)
            if timed_out or was_canceled:
                await self._stop(connection, token, session, ended)
            lost = await ended
            await pump
        finally:
            if not ended.done():  # the caller itself was cancelled: leave nothing running there
                with contextlib.suppress(TargetError):
                    await self._stop(connection, token, session, ended)
                session.close()
            ended.cancel()
            pump.cancel()
        if lost is not None and session.exit_status is None and not (timed_out or was_canceled):
            raise self._lost(lost)
        code = session.exit_status if session.exit_status is not None else -1
        return CommandResult(exit_code=code, timed_out=timed_out, canceled=was_canceled)

    async def _stop(
        self,
        connection: asyncssh.SSHClientConnection,
        token: str,
        session: StreamedSession,
        ended: asyncio.Task[Exception | None],
    ) -> None:
        """TERM, then KILL, to the command's process group; then stop waiting for it either way."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            await self._helper(connection, in_bash(stop_script(token, sig)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(ended), TERMINATE_GRACE_SECONDS)
                return
        session.close()

    async def upload(self, local: Path, remote: str) -> None:
        """Copy a file (or a directory, recursively) to `remote`, relative to $HOME unless absolute,
        creating the directories above it."""
        async with self._sftp(f"upload {local} to {self.address}:{remote}") as sftp:
            parent = posixpath.dirname(remote)
            if parent:
                await sftp.makedirs(parent, exist_ok=True)
            await sftp.put(str(local), remote, recurse=local.is_dir())

    async def download(self, remote: str, local: Path) -> None:
        """Copy `remote` (a file or a directory, recursively), relative to $HOME unless absolute, to `local`."""
        local.parent.mkdir(parents=True, exist_ok=True)
        async with self._sftp(f"download {self.address}:{remote} to {local}") as sftp:
            await sftp.get(remote, str(local), recurse=await sftp.isdir(remote))

    @contextlib.asynccontextmanager
    async def _sftp(self, action: str) -> AsyncIterator[asyncssh.SFTPClient]:
        """An SFTP session on the connection; its failures as TargetErrors saying what could not be done."""
        connection = await self.connect()
        try:
            async with connection.start_sftp_client() as sftp:
                yield sftp
        except asyncssh.ChannelOpenError as exc:
            raise TargetError(f"{self.address} offers no SFTP (sshd's Subsystem sftp): {exc.reason}") from exc
        except (asyncssh.SFTPConnectionLost, asyncssh.SFTPNoConnection) as exc:
            raise self._lost(exc) from exc
        except asyncssh.SFTPError as exc:
            raise TargetError(f"cannot {action}: {exc.reason}") from exc
        except OSError as exc:
            raise TargetError(f"cannot {action}: {exc.strerror or exc}") from exc
        except asyncssh.Error as exc:
            raise self._lost(exc) from exc

    async def home(self) -> str:
        """The account's $HOME on the target."""
        if self._home is None:
            out = await self._helper(await self.connect(), 'printf "%s" "$HOME"')
            if not out:
                raise TargetError(f"the account {self.account.username!r} has no $HOME on {self.address}")
            self._home = out
        return self._home

    async def work_dir(self) -> str:
        """`$HOME/.seaway`, created if needed: where everything Seaway leaves on the target lives."""
        work = posixpath.join(await self.home(), WORK_DIR)
        await self._helper(await self.connect(), in_bash(f"mkdir -p -- {shlex.quote(work)}"))
        return work

    async def check(self, *, path: str | None = None) -> HealthReport:
        """Connectivity, then the prerequisites. `path` is the PATH scripts will run with; by default the
        session's own. Unreachable is Unavailable; a changed host key or refused credentials, Unhealthy."""
        try:
            output = await self._helper(await self.connect(), ssh_health.probe_script(path))
        except TargetError as exc:
            status = HealthStatus.UNAVAILABLE if exc.retryable else HealthStatus.UNHEALTHY
            return HealthReport(status, (exc.message,))
        return ssh_health.report(ssh_health.parse_probe(output))

    async def connect(self) -> asyncssh.SSHClientConnection:
        """The open connection, opening it first if there is none (or it was lost)."""
        async with self._connecting:
            if self._connection is None or self._connection.is_closed():
                self._connection = await self._open()
            return self._connection

    async def _open(self) -> asyncssh.SSHClientConnection:
        pinned = _PinnedHost(self.endpoint.fingerprint)
        username = self.account.username
        try:
            return await asyncssh.connect(
                self.endpoint.host,
                self.endpoint.port,
                username=username,
                client_factory=lambda: pinned,
                known_hosts=_NO_KNOWN_HOSTS,
                server_host_key_algs=list(HOST_KEY_ALGORITHMS),
                x509_trusted_certs=None,
                config=[],
                agent_path=None,
                gss_auth=False,
                gss_kex=False,
                client_keys=[self._key] if self._key is not None else None,
                password=self.account.secret if self._key is None else None,
                preferred_auth="publickey" if self._key is not None else "password,keyboard-interactive",
                connect_timeout=self.connect_timeout,
                keepalive_interval=KEEPALIVE_SECONDS,
                keepalive_count_max=KEEPALIVE_COUNT,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            raise self._host_key_refused(pinned) from exc
        except asyncssh.PermissionDenied as exc:
            credential = "SSH key" if self._key is not None else "password"
            raise TargetError(f"{self.address} refused the {credential} of user {username!r}") from exc
        except (OSError, TimeoutError, asyncssh.Error) as exc:
            raise TargetError(f"cannot reach {self.address}: {_reason(exc)}", retryable=True) from exc

    def _host_key_refused(self, pinned: _PinnedHost) -> TargetError:
        if not pinned.expected:
            message = f"no host key is pinned for {self.address}: it presented {pinned.presented}"
        else:
            message = (
                f"the host key of {self.address} changed: expected {pinned.expected}, got {pinned.presented}"
                " — if this is expected, check the key and re-pin the target"
            )
        return TargetError(message, retryable=False)

    async def _helper(self, connection: asyncssh.SSHClientConnection, command_line: str) -> str:
        """Run one of Seaway's own short commands; its stdout."""
        try:
            result = await connection.run(command_line, check=False, timeout=HELPER_TIMEOUT_SECONDS)
        except asyncssh.TimeoutError as exc:
            raise TargetError(
                f"{self.address} did not answer within {HELPER_TIMEOUT_SECONDS:g}s", retryable=True
            ) from exc
        except (asyncssh.Error, OSError) as exc:
            raise self._lost(exc) from exc
        if result.exit_status != 0:
            raise TargetError(f"{self.address}: {str(result.stderr).strip() or f'exit code {result.exit_status}'}")
        return str(result.stdout)

    def _lost(self, exc: BaseException) -> TargetError:
        return TargetError(f"lost the connection to {self.address}: {_reason(exc)}", retryable=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, asyncssh.Error):
        return exc.reason or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
