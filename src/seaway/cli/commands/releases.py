from __future__ import annotations

import typer

from seaway.cli.client import segment
from seaway.cli.context import client
from seaway.cli.output import ReportingGroup, out
from seaway.errors import InvalidInput

app = typer.Typer(help="Releases.", no_args_is_help=True, cls=ReportingGroup)


def parse_pairs(values: list[str], option: str, separator: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition(separator)
        if not sep or not key.strip():
            raise InvalidInput(f'{option} "{value}" is not KEY{separator}VALUE', field=option)
        pairs[key.strip()] = rest
    return pairs


@app.command("create")
def create(
    project: str = typer.Option(..., "--project", help="Project name or id."),
    version: str | None = typer.Option(None, "--version", help="Release version (default: next after the last)."),
    notes: str = typer.Option("", "--notes", help="Release notes."),
    package: list[str] = typer.Option(
        [], "--package", help="STEP:VERSION or PACKAGE-ID:VERSION, repeatable; the rest take the latest allowed."
    ),
    channel: str | None = typer.Option(None, "--channel", help="Channel (default: the project's default)."),
) -> None:
    """Create a release; prints its version."""
    body = {
        "version": version,
        "notes": notes,
        "packages": parse_pairs(package, "--package", ":"),
        "channel": channel,
    }
    with client() as api:
        release = api.post(f"/projects/{segment(project)}/releases", json=body)
    out.print(release["version"])


@app.command("update-variables")
def update_variables(
    project: str = typer.Argument(..., help="Project name or id."),
    version: str = typer.Argument(..., help="Release version."),
) -> None:
    """Take the project's current variables into the release; prints what changed. Pending change requests of
    its deployments are put to their approvers again."""
    with client() as api:
        release = api.get(f"/projects/{segment(project)}/releases/{segment(version)}")
        updated = api.post(f"/releases/{segment(release['id'])}/snapshot-variables")
    if not updated["changes"]:
        out.print(f"{updated['project']} {updated['version']}: the variables are unchanged")
        return
    for line in updated["changes"]:
        out.print(line)
    for number in updated["change_requests_voided"]:
        out.print(f"{number}: approvals void, asked again")
