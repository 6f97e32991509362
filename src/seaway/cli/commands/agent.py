"""`seaway agent register|run|revoke`: the polling agent, for machines the server cannot reach.

`register` asks the server (with an API key that may edit targets in the environments) for a registration
and keeps it in `--dir`; `run` serves every registration kept there; `revoke` (anywhere, with an API key)
makes the server refuse a target's agent from its next request on.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from urllib.parse import urlsplit

import typer

from seaway.agent.registrations import DEFAULT_DIR, Registration, home_of, load_all, save
from seaway.cli.client import SeawayClient, segment
from seaway.cli.context import client
from seaway.cli.output import EXIT_FAILED, ReportingGroup, out
from seaway.errors import InvalidInput

app = typer.Typer(help="The polling agent: register this machine, then run.", no_args_is_help=True, cls=ReportingGroup)

_DIR = typer.Option(DEFAULT_DIR, "--dir", help="Where the agent keeps its registrations and work.")


def _line(text: str) -> None:
    out.print(text, markup=False)


@app.command("register")
def register(
    server: str = typer.Option(..., "--server", help="The Seaway server's URL, e.g. https://seaway.example.org."),
    api_key: str = typer.Option(..., "--api-key", help="An API key that may edit targets in the environments."),
    name: str = typer.Option(socket.gethostname(), "--name", help="The target's name (default: this host's)."),
    environments: list[str] = typer.Option([], "--environment", help="An environment (repeat for more)."),
    roles: list[str] = typer.Option([], "--role", help="A role such as web-server (repeat for more)."),
    directory: Path = _DIR,
    agent_url: str | None = typer.Option(
        None, "--agent-url", help="Where to dial the agent listener; default: the server's host, its agent port."
    ),
    ca_file: Path | None = typer.Option(
        None, "--ca-file", help="Trust this CA (and check the host name) instead of pinning the certificate."
    ),
) -> None:
    """Register this machine as the target NAME (made unless a document declared it) and keep the secret."""
    base = directory.expanduser()
    if ca_file is not None and not ca_file.is_file():
        raise InvalidInput(f"{ca_file} does not exist", field="--ca-file")
    body = {
        "name": name,
        "environments": environments,
        "roles": roles,
        "home": str(home_of(base, name)),
        "hostname": socket.gethostname(),
    }
    api = SeawayClient(server, api_key)
    try:
        issued = api.post("/agents/register", json=body)
    finally:
        api.close()
    host = urlsplit(server).hostname or "127.0.0.1"
    url = agent_url or f"https://{f'[{host}]' if ':' in host else host}:{issued['agent_port']}"
    registration = Registration(
        name=issued["target"]["name"],
        agent_url=url,
        secret=issued["secret"],
        certificate=issued["certificate"],
        thumbprint=issued["thumbprint"],
        ca_file=str(ca_file.resolve()) if ca_file else "",
    )
    path = save(base, registration)
    _line(f"registered {registration.name} ({issued['target']['id']}) in {path}")
    _line(f"server certificate SHA-256 {registration.thumbprint} pinned; dialing {url}")
    _line(f"next: seaway agent run --dir {directory}")


@app.command("run")
def run(directory: Path = _DIR) -> None:
    """Poll for and run the work of every registration in --dir, until stopped (SIGTERM or Ctrl-C)."""
    from seaway.agent.runner import run_agent

    base = directory.expanduser()
    registrations = load_all(base)
    reasons = asyncio.run(run_agent(base, registrations, _line))
    if reasons and len(reasons) == len(registrations):
        raise typer.Exit(EXIT_FAILED)


@app.command("revoke")
def revoke(name: str = typer.Argument(..., help="The agent target's name or id.")) -> None:
    """Refuse the target's agent from its next request on (register it again to let it back)."""
    with client() as api:
        api.post(f"/agents/{segment(name)}/revoke")
    _line(f"revoked the agent of {name}")
