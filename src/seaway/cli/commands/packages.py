"""`seaway package`: the built-in feed from the command line."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import typer

from seaway.cli.client import segment
from seaway.cli.context import client
from seaway.cli.output import ReportingGroup, out
from seaway.domain.packages import OverwriteMode, PackageFormat
from seaway.errors import InvalidInput
from seaway.packages.files import file_sha256
from seaway.packages.pack import pack_directory

app = typer.Typer(help="Packages in the built-in feed.", no_args_is_help=True, cls=ReportingGroup)


@app.command("pack")
def pack(
    package_id: str = typer.Option(..., "--id", help="Package id, e.g. RandomQuotes."),
    version: str = typer.Option(..., "--version", help="SemVer version, e.g. 1.0.1."),
    base_path: Path = typer.Option(Path(), "--base-path", help="The directory to pack."),
    out_folder: Path = typer.Option(Path(), "--out-folder", help="Where the package is written."),
    fmt: PackageFormat = typer.Option(PackageFormat.ZIP, "--format", help="zip or tar.gz."),
) -> None:
    """Pack a directory into <id>.<version>.<format>; prints the file's path."""
    out.print(str(pack_directory(base_path, package_id, version, fmt, out_folder)), markup=False)


@app.command("push")
def push(
    files: list[Path] = typer.Argument(..., help="Package files named <id>.<version>.<ext>."),
    overwrite_mode: OverwriteMode = typer.Option(
        OverwriteMode.FAIL, "--overwrite-mode", help="When the version is already there: fail, overwrite or ignore."
    ),
) -> None:
    """Push package files; prints each as `<id> <version> <outcome>`."""
    for path in files:
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file", field="FILE")
    with client() as api:
        for path in files:
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            digest = file_sha256(path)  # the server refuses bytes that arrive different
            with path.open("rb") as content:
                pushed = api.post(
                    "/packages",
                    params={"overwrite_mode": str(overwrite_mode), "sha256": digest},
                    files={"file": (path.name, content, kind)},
                    timeout=None,  # a large package takes as long as it takes
                )
            words = [pushed["package_id"], pushed["version"], pushed["outcome"], *pushed["releases_created"]]
            out.print(" ".join(words))
            for problem in pushed.get("release_problems", []):
                typer.echo(f"warning: {problem}", err=True)


@app.command("list")
def list_packages(package_id: str | None = typer.Option(None, "--id", help="Only this package id.")) -> None:
    """List package versions: id, version, size, pushed at."""
    with client() as api:
        packages = api.get("/packages", params={"package_id": package_id} if package_id else None)
    for p in packages:
        out.print(f"{p['package_id']}\t{p['version']}\t{p['size']}\t{p['pushed_at']}")


@app.command("show")
def show(package_id: str = typer.Argument(...), version: str = typer.Argument(...)) -> None:
    """A package version: size, SHA-256, who pushed it and when, and the releases that deploy it."""
    with client() as api:
        p = api.get(f"/packages/{segment(package_id)}/{segment(version)}")
    out.print(f"{p['package_id']} {p['version']} ({p['format']}, {p['size']} bytes)")
    out.print(f"sha256    {p['sha256']}")
    out.print(f"pushed    {p['pushed_at']} by {p['pushed_by'] or '-'}")
    for r in p["releases"]:
        out.print(f"used by   {r['project']} {r['version']} (step {r['step']})")


@app.command("delete")
def delete(package_id: str = typer.Argument(...), version: str = typer.Argument(...)) -> None:
    """Delete a package version (refused while a release deploys it)."""
    with client() as api:
        api.request("DELETE", f"/packages/{segment(package_id)}/{segment(version)}")
    out.print(f"deleted {package_id} {version}")
