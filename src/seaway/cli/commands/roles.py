"""`seaway role list`: the roles a team can hold, built-in (by slug) and custom, through the API."""

from __future__ import annotations

import typer

from seaway.cli.context import client
from seaway.cli.output import ReportingGroup, out

app = typer.Typer(help="Roles: the permission sets teams hold.", no_args_is_help=True, cls=ReportingGroup)


@app.command("list")
def list_roles() -> None:
    """Every role: its slug or id, name, whether it is built in, and its permissions."""
    with client() as api:
        roles = api.get("/roles")
    for role in roles:
        kind = "built-in" if role["builtin"] else "custom"
        out.print(f"{role['id']:24}  {kind:8}  {role['name']}: {', '.join(role['permissions'])}", markup=False)
