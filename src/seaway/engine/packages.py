"""The built-in feed: pushing a file (with Octopus's overwrite modes), deleting one, and retention.

A push is received outside any transaction (the bytes can be gigabytes), identified in a thread, moved to
its content address, and only then recorded — with its audit event, and a release when a project asks for
one on push — in one transaction. Until that commits nobody sees it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from seaway.domain.actors import Actor
from seaway.domain.packages import OverwriteMode, PackageVersion
from seaway.domain.permissions import Permission, authorize
from seaway.domain.releases import Release
from seaway.engine.audit_trail import event_of
from seaway.engine.clock import Clock
from seaway.engine.periodic import repeat
from seaway.engine.release_on_push import releases_on_push
from seaway.errors import Conflict
from seaway.packages.files import PackageFiles
from seaway.packages.identify import describe_package
from seaway.store.audit import AuditEvent
from seaway.store.scopes import Where
from seaway.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("seaway.packages")
SWEEP_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class PushResult:
    package: PackageVersion
    outcome: str  # created, replaced or ignored (IgnoreIfExists found it there)
    releases: tuple[Release, ...] = ()  # created because a project releases on push
    release_problems: tuple[str, ...] = ()  # projects that release on push and could not


async def push_package(
    store: Store,
    files: PackageFiles,
    staged: Path,
    sha256: str,
    file_name: str,
    *,
    mode: OverwriteMode,
    actor: Actor,
    now: datetime,
) -> PushResult:
    """Record a finished upload (`staged`, hashed while it arrived) in the built-in feed. `staged` is consumed."""
    try:
        authorize(actor.user, Permission.PACKAGE_PUSH)
        parsed, title = await asyncio.to_thread(describe_package, staged, file_name)
        stored = await asyncio.to_thread(files.keep, staged, sha256)
    finally:
        staged.unlink(missing_ok=True)
    package = PackageVersion(
        package_id=parsed.package_id,
        version=parsed.version,
        format=parsed.format,
        sha256=stored.sha256,
        size=stored.size,
        pushed_at=now,
        pushed_by=actor.user.id,
        title=title,
    )
    async with store.transaction() as uow:
        existing = await uow.packages.find(package.package_id, package.version)
        if existing is not None and mode is OverwriteMode.IGNORE:
            result = PushResult(existing, "ignored")
        elif existing is not None and mode is OverwriteMode.FAIL:
            raise Conflict(
                f"package {existing.package_id} {existing.version} is already in the built-in feed "
                "(push it with overwrite mode overwrite (OverwriteExisting) to replace it, "
                "or ignore (IgnoreIfExists) to keep it)",
                field="file",
                entity="package",
            )
        elif existing is not None:
            authorize(actor.user, Permission.PACKAGE_DELETE)  # replacing a version removes the one pushed before
            saved = await uow.packages.replace(existing, replace(package, package_id=existing.package_id))
            result = PushResult(saved, "replaced")
        else:
            result = PushResult(await uow.packages.add(package), "created")
        if result.outcome != "ignored":
            action = "package.pushed" if result.outcome == "created" else "package.replaced"
            await _audit(uow, actor, now, action, result.package)
    if result.outcome == "ignored":
        return result
    made = await releases_on_push(store, result.package, actor=actor, now=now)
    for problem in made.problems:
        log.warning("%s", problem)
    return replace(result, releases=made.releases, release_problems=made.problems)


async def delete_package(
    uow: UnitOfWork, package_id: str, version: str, *, actor: Actor, now: datetime
) -> PackageVersion:
    """The bytes stay until `sweep_files` finds no version holding them."""
    authorize(actor.user, Permission.PACKAGE_DELETE)
    package = await uow.packages.get(package_id, version)
    users = await uow.packages.used_by(package_id, version)
    if users:
        named = ", ".join(f"{u.project} {u.version}" for u in users[:5])
        raise Conflict(
            f"package {package.package_id} {package.version} is deployed by release {named} and cannot be deleted",
            entity="package",
        )
    await uow.packages.delete(package)
    await _audit(uow, actor, now, "package.deleted", package)
    return package


async def apply_retention(store: Store, *, days: int, now: datetime) -> list[PackageVersion]:
    """Remove what was pushed more than `days` ago and no release deploys; audited as Seaway's own act."""
    async with store.transaction() as uow:
        removed = await uow.packages.unreferenced_before(now - timedelta(days=days))
        for package in removed:
            await uow.packages.delete(package)
            details = {"package_id": package.package_id, "version": package.version, "sha256": package.sha256}
            event = AuditEvent.by_seaway(
                at=now,
                action="package.removed_by_retention",
                entity="package",
                entity_id=f"{package.package_id}.{package.version}",
                details=details,
            )
            await uow.audit.record(event)
    return removed


async def sweep_files(store: Store, files: PackageFiles, *, now: datetime, grace: timedelta = SWEEP_GRACE) -> int:
    """Remove stored bytes that no package version holds. A file younger than `grace` is left alone: a push
    moves its file in before its transaction commits, and a sweep must not take it from under that push."""
    async with store.reading() as uow:
        held = await uow.packages.stored_hashes()
    removed = 0
    for digest, modified in await asyncio.to_thread(files.listing):
        if digest not in held and modified < now - grace:
            await asyncio.to_thread(files.remove, digest)
            removed += 1
    await asyncio.to_thread(files.clear_incoming, now - grace)
    return removed


async def _audit(uow: UnitOfWork, actor: Actor, now: datetime, action: str, package: PackageVersion) -> None:
    details = {
        "package_id": package.package_id,
        "version": package.version,
        "sha256": package.sha256,
        "size": package.size,
    }
    entity_id = f"{package.package_id}.{package.version}"
    await uow.audit.record(event_of(actor, now, action, entity_id, details, Where(), entity="package"))


class Housekeeping:
    """While the server runs: retention (when set) and the sweep of unheld bytes, once an hour."""

    def __init__(self, store: Store, files: PackageFiles, clock: Clock, retention_days: int | None) -> None:
        self.store = store
        self.files = files
        self.clock = clock
        self.retention_days = retention_days
        self.every_seconds = 3600.0

    async def tick(self) -> None:
        now = self.clock.now()
        if self.retention_days is not None:
            for package in await apply_retention(self.store, days=self.retention_days, now=now):
                log.info("retention removed %s %s", package.package_id, package.version)
        await sweep_files(self.store, self.files, now=now)

    async def run(self, stop: asyncio.Event) -> None:
        await repeat(self.tick, self.every_seconds, stop, what="package housekeeping", log=log)
