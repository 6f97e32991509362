"""`seaway api-key create|list|revoke`: your API keys, through the API (an administrator's: anyone's)."""

from __future__ import annotations

import re
from typing import Any

import typer

from seaway.cli.client import segment
from seaway.cli.context import client
from seaway.cli.output import ReportingGroup, out
from seaway.domain.api_keys import MAX_LIFETIME_DAYS
from seaway.errors import InvalidInput

app = typer.Typer(help="API keys: create, list and revoke them.", no_args_is_help=True, cls=ReportingGroup)

# Actions from here are recorded with the channel "cli" in the audit log.
_CLI_HEADERS = {"X-Seaway-Client": "cli"}
_DURATION = re.compile(r"^\s*(\d{1,5})\s*([dwy])\s*$", re.IGNORECASE)
_DAYS_PER = {"d": 1, "w": 7, "y": 365}


def expires_in_days(text: str) -> int:
    """`90d`, `12w` or `1y` → days; anything else is refused naming `--expires`."""
    match = _DURATION.match(text)
    days = int(match.group(1)) * _DAYS_PER[match.group(2).lower()] if match else 0
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise InvalidInput(
            f'--expires "{text}" is not a lifetime such as 90d, 12w or 1y (1 day to {MAX_LIFETIME_DAYS} days)',
            field="--expires",
        )
    return days


@app.command("create")
def create(
    purpose: str = typer.Option(
        "created by seaway api-key create", "--purpose", help="What the key is for (e.g. the CI job that uses it)."
    ),
    expires: str | None = typer.Option(None, "--expires", help="Lifetime: 90d, 12w or 1y; left out: never expires."),
    user: str | None = typer.Option(None, "--user", help="Users-<n>: a key for someone else (administrators)."),
) -> None:
    """Create an API key and print it. It is shown this once; only its hash is stored."""
    body: dict[str, Any] = {"purpose": purpose}
    if expires is not None:
        body["expires_in_days"] = expires_in_days(expires)
    if user is not None:
        body["user"] = user
    with client() as api:
        created = api.post("/api-keys", json=body, headers=_CLI_HEADERS)
    expiry = f", expires {created['expires_at'][:10]}" if created.get("expires_at") else ""
    typer.echo(f"{created['id']} ({created['purpose']}{expiry}). The key, shown this once:", err=True)
    out.print(created["key"], markup=False)


@app.command("list")
def list_keys(
    user: str | None = typer.Option(None, "--user", help="Users-<n>: someone else's keys (administrators)."),
) -> None:
    """Your API keys: id, prefix, state, purpose, expiry and last use."""
    with client() as api:
        keys = api.get("/api-keys", params={"user": user} if user else None)
    for key in keys:
        expires = (key.get("expires_at") or "never")[:10]
        used = (key.get("last_used_at") or "never")[:16].replace("T", " ")
        out.print(
            f"{key['id']}  {key['prefix'] or '-':8}  {key['state']:7}  expires {expires:10}  used {used:16}  "
            f"{key['purpose']}",
            markup=False,
        )


@app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="ApiKeys-<n>, as `seaway api-key list` shows it.")) -> None:
    """Revoke an API key: it stops working at once."""
    with client() as api:
        api.request("DELETE", f"/api-keys/{segment(key_id)}", headers=_CLI_HEADERS)
    out.print(f"{key_id} revoked", markup=False)
