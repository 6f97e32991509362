"""`seaway target list|show|add|check`: deployment targets and their health, through the API.

`target check` exits 0 when the target is Healthy or HasWarnings and 1 otherwise (Unhealthy, Unavailable),
so a script can wait on a machine being ready; bad input is 2 and an unreachable server 3, as everywhere.
"""

from __future__ import annotations

from typing import Any

import typer

from seaway.cli.client import segment
from seaway.cli.context import client
from seaway.cli.output import EXIT_FAILED, EXIT_OK, ReportingGroup, out
from seaway.domain.targets import DEFAULT_POLICY, HealthStatus

app = typer.Typer(help="Deployment targets: the machines deployments run on.", no_args_is_help=True, cls=ReportingGroup)


def _line(text: str) -> None:
    out.print(text, markup=False)


def _health(target: dict[str, Any]) -> str:
    return str(target["health"]["status"])


@app.command("list")
def list_targets() -> None:
    """Every target you may see: name, environments, roles, health."""
    with client() as api:
        targets = api.get("/targets")
    for t in targets:
        _line(f"{t['name']}\t{','.join(t['environments'])}\t{','.join(t['roles'])}\t{_health(t)}")


def _show(target: dict[str, Any]) -> None:
    endpoint, health = target["endpoint"], target["health"]
    _line(f"{target['name']} ({target['id']}){'' if target['enabled'] else ' disabled'}")
    _line(f"environments  {', '.join(target['environments'])}")
    _line(f"roles         {', '.join(target['roles'])}")
    if endpoint["type"] == "agent":
        _line("endpoint      polling agent")
    else:
        _line(f"endpoint      ssh {endpoint['account']}@{endpoint['host']}:{endpoint['port']}")
        _line(f"host key      {endpoint['fingerprint'] or 'not pinned'}")
    _line(f"policy        {target['policy']}")
    _line(f"health        {health['status']}" + (f" (checked {health['checked_at']})" if health["checked_at"] else ""))
    for message in health["messages"]:
        _line(f"              {message}")


@app.command("show")
def show(name: str = typer.Argument(..., help="The target's name or id (Machines-3).")) -> None:
    """A target: environments, roles, endpoint, pinned host key and last health."""
    with client() as api:
        _show(api.get(f"/targets/{segment(name)}"))


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The target's name, e.g. web-01."),
    environments: list[str] = typer.Option(..., "--environment", help="An environment (repeat for more)."),
    roles: list[str] = typer.Option(..., "--role", help="A role such as web-server (repeat for more)."),
    host: str = typer.Option(..., "--host", help="The machine's host name or address."),
    port: int = typer.Option(22, "--port", help="Its SSH port."),
    account: str = typer.Option(..., "--account", help="The account Seaway signs in with."),
    fingerprint: str | None = typer.Option(
        None, "--fingerprint", help="The host key's SHA256:... fingerprint; left out, it is read from the host."
    ),
    disabled: bool = typer.Option(False, "--disabled", help="Add it disabled: deployments leave it out."),
) -> None:
    """Add an SSH target; the host key's fingerprint is read from the machine and pinned, and printed."""
    endpoint: dict[str, Any] = {"type": "ssh", "host": host, "port": port, "account": account}
    if fingerprint:
        endpoint["fingerprint"] = fingerprint
    body = {
        "name": name,
        "environments": environments,
        "roles": roles,
        "endpoint": endpoint,
        "enabled": not disabled,
        "policy": DEFAULT_POLICY,
    }
    with client() as api:
        created = api.post("/targets", json=body)
    _line(f"added {created['name']} ({created['id']})")
    _line(f"host key {created['endpoint']['fingerprint']} pinned")


@app.command("check")
def check(
    name: str = typer.Argument(..., help="The target's name or id."),
    trust: bool = typer.Option(False, "--trust", help="Pin the host key it presents if none is pinned yet."),
    trust_new_key: bool = typer.Option(
        False, "--trust-new-key", help="Replace the pinned host key with the one it presents now (audited)."
    ),
) -> None:
    """Check a target's health now; prints its status and messages. Exits 0 when Healthy or HasWarnings."""
    with client() as api:
        result = api.post(f"/targets/{segment(name)}/check", json={"trust": trust, "trust_new_key": trust_new_key})
    report = result["check"]
    if report["pinned"]:
        replaced = f" (replacing {report['replaced']})" if report["replaced"] else ""
        _line(f"host key {report['pinned']} pinned{replaced}")
    _line(f"{result['name']}: {report['status']}")
    for message in report["messages"]:
        _line(f"  {message}")
    raise typer.Exit(EXIT_OK if HealthStatus(report["status"]).usable else EXIT_FAILED)
