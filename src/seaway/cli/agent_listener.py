"""The server's listener for polling agents: HTTPS on `SEAWAY_AGENT_PORT` with the data dir's self-signed
certificate, beside the API, for as long as the server runs. A port that cannot be bound is reported and
the server goes on without agents (deployments to agent targets then wait for their timeout)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seaway.bootstrap import Services

log = logging.getLogger("seaway.agents")


@contextlib.asynccontextmanager
async def agent_listener(services: Services, say: Callable[[str], None]) -> AsyncIterator[None]:
    import uvicorn

    from seaway.web.agent_api import create_agent_app

    settings, certificate = services.settings, services.agent_certificate
    if not settings.agent_port or certificate is None:
        yield
        return
    try:
        sock = _bind(settings.agent_host, settings.agent_port)
    except OSError as exc:
        log.error("cannot listen for agents on %s:%s: %s", settings.agent_host, settings.agent_port, exc)
        yield
        return

    class Quiet(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:  # the API server's stop handling stops this one too
            yield

    config = uvicorn.Config(
        create_agent_app(services),
        log_config=None,  # the API server configured logging; a second configuration would change its levels
        access_log=False,
        ssl_certfile=str(certificate.cert_file),
        ssl_keyfile=str(certificate.key_file),
        timeout_graceful_shutdown=1,
    )
    server = Quiet(config)
    running = asyncio.create_task(server.serve(sockets=[sock]))
    say(
        f"Listening for agents on https://{settings.agent_host}:{settings.agent_port} "
        f"(certificate SHA-256 {certificate.thumbprint})"
    )
    try:
        yield
    finally:
        server.should_exit = True
        await running
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
