"""Package files for deployments and releases: the built-in feed's own, and external feeds' through a cache.

An external package is downloaded when a release picks it (so the release records its hash) and kept in
the cache by that hash; a deployment takes it from the cache, or downloads it again and checks the hash.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from seaway.domain.channels import channel_named
from seaway.domain.package_selection import Candidate, feed_key, package_steps, select_packages
from seaway.domain.packages import BUILTIN_FEED, Feed, PackageFormat, PackageReference
from seaway.domain.process import Step
from seaway.domain.projects import Project
from seaway.errors import PackageUnavailable
from seaway.packages.files import PackageFiles
from seaway.packages.nuget import NuGetFeed
from seaway.store.unit_of_work import Store


class FeedPackages:
    """The `PackageSource` a deploy-package step fetches through."""

    def __init__(self, store: Store, files: PackageFiles, cache: PackageFiles, max_bytes: int) -> None:
        self.store = store
        self.files = files
        self.cache = cache
        self.max_bytes = max_bytes
        self._downloads: dict[str, asyncio.Lock] = {}

    async def fetch(self, reference: PackageReference) -> Path:
        if reference.feed == BUILTIN_FEED:
            path = await asyncio.to_thread(self.files.verify, reference.sha256)
            if path is None:
                raise PackageUnavailable(
                    f"the built-in feed no longer holds {reference.package_id} {reference.version} "
                    f"(SHA-256 {reference.sha256[:12]}…), or its file is damaged",
                    field="package",
                )
            return path
        cached = await asyncio.to_thread(self.cache.verify, reference.sha256) if reference.sha256 else None
        if cached is not None:
            return cached
        # The release recorded the hash: bytes the feed now serves differently are refused by the download.
        sha256 = await self.download(reference.feed, reference.package_id, reference.version, reference.sha256)
        return self.cache.path_of(sha256)

    async def download(self, feed_name: str, package_id: str, version: str, expected_sha256: str = "") -> str:
        """Download one external package into the cache once, however many deployments ask at the same time."""
        lock = self._downloads.setdefault(f"{feed_name}\0{package_id}\0{version}".lower(), asyncio.Lock())
        async with lock, NuGetFeed(await self._feed(feed_name), max_bytes=self.max_bytes) as client:
            destination = self.cache.incoming / f"{secrets.token_hex(8)}.nupkg"
            destination.parent.mkdir(parents=True, exist_ok=True)
            downloaded = await client.download(
                package_id, version, destination, expected_sha256=expected_sha256 or None
            )
            await asyncio.to_thread(self.cache.keep, downloaded.path, downloaded.sha256)
            return downloaded.sha256

    async def external_candidates(
        self, project: Project, channel: str | None, requested: Mapping[str, str]
    ) -> dict[tuple[str, str], list[Candidate]]:
        """For each step on an external feed: the version the release will take, downloaded, with its hash."""
        steps = [(s, pid, feed) for s, pid, feed in package_steps(project.process) if feed != BUILTIN_FEED]
        if not steps:
            return {}
        listed: dict[tuple[str, str], list[Candidate]] = {}
        for _, package_id, feed in steps:
            key = (feed, package_id.lower())
            if key not in listed:
                async with NuGetFeed(await self._feed(feed)) as client:
                    versions = await client.versions(package_id)
                listed[key] = [Candidate(v, "", PackageFormat.NUPKG) for v in versions]
        external_steps = tuple(s for s, _, _ in steps)
        asked = {k: v for k, v in requested.items() if _names_one_of(k, steps)}
        chosen = select_packages(external_steps, channel_named(project.channels, channel), listed, asked)
        found: dict[tuple[str, str], list[Candidate]] = {}
        for reference in chosen:
            sha256 = await self.download(reference.feed, reference.package_id, reference.version)
            found.setdefault((feed_key(reference.feed), reference.package_id.lower()), []).append(
                Candidate(reference.version, sha256, PackageFormat.NUPKG)
            )
        return found

    async def _feed(self, name: str) -> Feed:
        async with self.store.reading() as uow:
            feed = await uow.feeds.find_by_name(name)
        if feed is None:
            raise PackageUnavailable(f'there is no feed "{name}"', field="package.feed")
        return feed


def _names_one_of(key: str, steps: Sequence[tuple[Step, str, str]]) -> bool:
    return any(key.lower() in (step.name.lower(), package_id.lower()) for step, package_id, _ in steps)
