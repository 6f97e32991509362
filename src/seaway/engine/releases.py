"""Creating a release: its version, its channel, and the exact package files it will deploy.

Versions of the built-in feed are read in the release's own transaction. An external feed is asked
beforehand (`engine/package_sources.py`, no transaction held open over the network) and its chosen files
downloaded, so the release records their hashes too; they reach here as `external` candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.channels import channel_named
from seaway.domain.ids import format_id
from seaway.domain.package_selection import Candidate, package_steps, select_packages
from seaway.domain.packages import BUILTIN_FEED
from seaway.domain.projects import Project
from seaway.domain.releases import Release, next_version, validate_version
from seaway.domain.users import User
from seaway.engine.audit_trail import event_of
from seaway.engine.deployments import project_variables
from seaway.errors import Conflict
from seaway.store.scopes import Where
from seaway.store.unit_of_work import UnitOfWork

ExternalCandidates = Mapping[tuple[str, str], Sequence[Candidate]]


async def builtin_candidates(uow: UnitOfWork, project: Project) -> dict[tuple[str, str], list[Candidate]]:
    found: dict[tuple[str, str], list[Candidate]] = {}
    for _, package_id, feed in package_steps(project.process):
        if feed == BUILTIN_FEED and (feed, package_id.lower()) not in found:
            versions = await uow.packages.versions_of(package_id)
            found[(feed, package_id.lower())] = [Candidate(v.version, v.sha256, v.format) for v in versions]
    return found


async def create_release(
    uow: UnitOfWork,
    project: Project,
    *,
    now: datetime,
    user: User | None,
    version: str | None = None,
    notes: str = "",
    packages: Mapping[str, str] | None = None,
    channel: str | None = None,
    external: ExternalCandidates | None = None,
    actor: Actor | None = None,
) -> Release:
    """`packages` maps a step name or a package id to the version asked for; the rest take the latest their
    channel allows. `actor` records `release.created` (None: Seaway itself, which records nothing here)."""
    assert project.id is not None
    existing = await uow.releases.versions(project.id)
    chosen_version = validate_version(version) if version else next_version(existing)
    if await uow.releases.find_by_version(project.id, chosen_version) is not None:
        raise Conflict(
            f'release {chosen_version} of "{project.name}" already exists', field="version", entity="release"
        )
    release_channel = channel_named(project.channels, channel)
    available = {**(await builtin_candidates(uow, project)), **(external or {})}
    references = select_packages(project.process, release_channel, available, packages or {})
    release = Release(
        project_id=project.id,
        version=chosen_version,
        process=project.process,
        variables=await project_variables(uow, project),
        created_at=now,
        notes=notes or "",
        packages=references,
        created_by=user.id if user else None,
        channel=release_channel.name,
    )
    added = await uow.releases.add(release)
    if actor is not None:
        details = {
            "version": added.version,
            "notes": added.notes,
            "channel": added.channel,
            "packages": {p.step: f"{p.package_id} {p.version}" for p in added.packages},
        }
        await uow.audit.record(
            event_of(actor, now, "release.created", format_id("release", added.id), details, Where(project.name))
        )
    return added
