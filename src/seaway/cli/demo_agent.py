"""The demo's own polling agent: `seaway server --demo` registers a target per environment of the demo
(`quotes-dev`, `quotes-test`, `quotes-prod`, role `quotes-web`) for one agent on this machine, with its
own directory under the data dir, and runs `seaway agent run` beside the server until the server stops."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seaway.bootstrap import Services

DEMO_ROLE = "quotes-web"
DEMO_AGENT_DIR = "demo-agent"
STOP_SECONDS = 10.0


async def register_demo_agents(services: Services) -> Path | None:
    """(Re-)register the demo's agent targets; the agent directory, or None when agents are off."""
    from seaway.agent.registrations import Registration, home_of, save
    from seaway.domain.targets import AgentEndpoint, DeploymentTarget
    from seaway.engine.agents import register_agent

    certificate, port = services.agent_certificate, services.settings.agent_port
    if certificate is None or not port:
        return None
    base = Path(services.settings.data_dir).resolve() / DEMO_AGENT_DIR
    host = services.settings.agent_host
    dial = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - the address bound, not one to bind
    async with services.store.transaction() as uow:
        environments = [e.name for e in await uow.environments.list()]
        issued = []
        for environment in environments:
            name = f"quotes-{environment.lower()}"
            wanted = DeploymentTarget(name, (environment,), (DEMO_ROLE,), AgentEndpoint())
            existing = await uow.targets.find_by_name(name)
            if existing is not None and not isinstance(existing.endpoint, AgentEndpoint):
                continue  # someone made it an SSH target: leave it be
            home = str(home_of(base, name))
            issued.append(
                await register_agent(uow, existing, wanted, home=home, hostname="localhost", now=services.clock.now())
            )
    for agent in issued:
        save(
            base,
            Registration(
                name=agent.target.name,
                agent_url=f"https://{dial}:{port}",
                secret=agent.secret,
                certificate=certificate.pem,
                thumbprint=certificate.thumbprint,
            ),
        )
    return base if issued else None


@contextlib.asynccontextmanager
async def demo_agent(services: Services, say: Callable[[str], None]) -> AsyncIterator[None]:
    """The demo's agent process for as long as the block runs, stopped by its PID afterwards."""
    base = await register_demo_agents(services)
    if base is None:
        yield
        return
    log = (base / "agent.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "seaway.cli.main", "agent", "run", "--dir", str(base)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    say(f"Demo agent running (PID {process.pid}) for the targets with role {DEMO_ROLE}; log: {base / 'agent.log'}")
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
