"""`seaway audit …`: verify the audit log (in the database, or an export offline) and export it.

`verify` and `export` read the database directly, as `seaway admin` does; `verify --file` needs neither the
server nor the database, only the export and the public key (`seaway audit public-key` prints it).
Exit codes: 0 intact, 1 not intact (the line names the first bad event), 2 bad input.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from seaway.cli.context import load_settings
from seaway.cli.output import EXIT_FAILED, ReportingGroup, out
from seaway.errors import InvalidInput

if TYPE_CHECKING:
    from seaway.bootstrap import Services
    from seaway.domain.audit_chain import VerifyResult
    from seaway.domain.audit_exports import AuditExport
    from seaway.security.signing import PublicKey, SigningKey

app = typer.Typer(
    help="The audit log: verify its hash chain and signatures, export it.", no_args_is_help=True, cls=ReportingGroup
)


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def _signing_key(*, create: bool) -> SigningKey | None:
    from seaway.security.signing import SigningKey

    settings = load_settings()
    data_dir = Path(settings.data_dir).resolve()
    if create:
        return SigningKey.load_or_create(data_dir, settings.audit_signing_key)
    return SigningKey.load(data_dir, settings.audit_signing_key)


@contextlib.asynccontextmanager
async def _services() -> AsyncIterator[Services]:
    from seaway.bootstrap import build_services

    services = build_services(load_settings())
    try:
        await services.database.migrate()
        yield services
    finally:
        await services.close()


def _report(result: VerifyResult) -> None:
    out.print(result.summary(), markup=False)
    if not result.intact:
        raise typer.Exit(EXIT_FAILED)


async def _verify_online(keys: list[PublicKey]) -> VerifyResult:
    from seaway.engine.audit_checkpoints import keys_by_id, verify_log

    async with _services() as services, services.store.reading() as uow:
        return await verify_log(uow, keys_by_id(*keys))


def _verify_file(path: Path, keys: list[PublicKey]) -> VerifyResult:
    from seaway.domain.audit_chain import verify_chain
    from seaway.domain.audit_exports import read_export
    from seaway.engine.audit_checkpoints import keys_by_id, signature_check

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="--file") from None
    export = read_export(text)
    return verify_chain(export.chain, export.checkpoints, signature_check(keys_by_id(*keys)), require_signed_end=True)


@app.command("verify")
def verify(
    file: Path | None = typer.Option(None, "--file", help="Verify this JSON export offline (no server, no database)."),
    public_keys: list[str] = typer.Option(
        [], "--public-key", help="A public key (file, hex or base64) to check signatures with; may repeat."
    ),
) -> None:
    """Check the hash chain and the checkpoints' signatures; exit 0 when intact, 1 naming the first bad event."""
    from seaway.security.signing import PublicKey

    keys = [PublicKey.parse(text, field="--public-key") for text in public_keys]
    if file is not None:
        if not keys:
            raise InvalidInput(
                "verifying an export needs the audit public key (`seaway audit public-key`)", field="--public-key"
            )
        _report(_verify_file(file, keys))
        return
    if not keys:
        found = _signing_key(create=False)
        if found is None:
            raise InvalidInput(
                "no audit signing key in the data directory and SEAWAY_AUDIT_SIGNING_KEY is unset: pass the public "
                "key to check the checkpoints with",
                field="--public-key",
            )
        keys = [found.public_key]
    _report(asyncio.run(_verify_online(keys)))


async def _export(since: datetime | None, until: datetime | None) -> AuditExport | VerifyResult:
    from seaway.engine.audit_exports import export_range

    key = _signing_key(create=True)
    assert key is not None
    async with _services() as services:
        return await export_range(services.store, key, since, until, services.clock.now())


def _export_text(export: AuditExport, as_format: ExportFormat) -> tuple[str, str]:
    from seaway.domain.audit_chain import event_ref
    from seaway.domain.audit_exports import export_csv, export_json

    text = export_json(export) if as_format is ExportFormat.JSON else export_csv(export)
    ids = [int(str(e["id"])) for e in export.events]
    span = f" ({event_ref(ids[0])} … {event_ref(ids[-1])})" if ids else ""
    return text, f"{len(ids)} event(s){span}, {len(export.checkpoints)} checkpoint(s)"


@app.command("export")
def export(
    since: str | None = typer.Option(None, "--from", help="First time (UTC unless it names a zone); unset: the start."),
    until: str | None = typer.Option(None, "--to", help="End time, not included; unset: now."),
    as_format: ExportFormat = typer.Option(ExportFormat.JSON, "--format", help="json (verifiable offline) or csv."),
    output: Path | None = typer.Option(None, "--output", help="Write to this file instead of stdout."),
) -> None:
    """Sign a checkpoint, then write the events of the range with their hashes and the checkpoints covering them."""
    from seaway.domain.audit_exports import parse_period

    start, end = parse_period(since, until, fields=("--from", "--to"), ordered="range")
    from seaway.domain.audit_exports import AuditExport

    exported = asyncio.run(_export(start, end))
    if not isinstance(exported, AuditExport):
        _report(exported)  # the chain since the last checkpoint does not verify: nothing is signed or written
        return
    text, what = _export_text(exported, as_format)
    if output is None:
        sys.stdout.write(text)
        return
    _write_whole(output, text)
    typer.echo(f"Exported {what} to {output}", err=True)


def _write_whole(path: Path, text: str) -> None:
    """The file appears complete or not at all. Something that is not a regular file (`/dev/null`, a pipe, a
    terminal) is written to as it is: renaming over it would replace the device with a file."""
    if path.exists() and not path.is_file():
        try:
            with path.open("w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}", field="--output") from None
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}", field="--output") from None
    finally:
        temporary.unlink(missing_ok=True)


@app.command("public-key")
def public_key() -> None:
    """Print the audit public key (hex), for verifying exports offline. Creates the signing key if there is none."""
    key = _signing_key(create=True)
    assert key is not None
    out.print(key.public_key.hex, markup=False)
