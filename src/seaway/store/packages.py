"""The built-in feed's package versions, and which releases use them."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from seaway.domain.packages import BUILTIN_FEED, PackageVersion
from seaway.store.base import Repository, row_as
from seaway.store.tables import packages as t
from seaway.store.tables import projects, release_packages, releases


@dataclass(frozen=True)
class ReleaseUse:
    release_id: int
    version: str
    project: str
    step: str


class PackageRepository(Repository):
    def _from_row(self, row: Any) -> PackageVersion:
        return row_as(PackageVersion, row)

    async def find(self, package_id: str, version: str) -> PackageVersion | None:
        stmt = sa.select(t).where(t.c.package_key == package_id.lower(), t.c.version_key == version.lower())
        row = (await self.conn.execute(stmt)).first()
        return self._from_row(row) if row else None

    async def get(self, package_id: str, version: str) -> PackageVersion:
        stmt = sa.select(t).where(t.c.package_key == package_id.lower(), t.c.version_key == version.lower())
        return self._from_row(await self._one(stmt, "package", f"{package_id} {version}"))

    async def versions_of(self, package_id: str) -> builtins.list[PackageVersion]:
        stmt = sa.select(t).where(t.c.package_key == package_id.lower()).order_by(t.c.id)
        return [self._from_row(r) for r in await self.conn.execute(stmt)]

    async def list(self, *, package_id: str | None = None, limit: int = 500) -> builtins.list[PackageVersion]:
        stmt = sa.select(t).order_by(t.c.package_key, t.c.id.desc()).limit(limit)
        if package_id:
            stmt = stmt.where(t.c.package_key == package_id.lower())
        return [self._from_row(r) for r in await self.conn.execute(stmt)]

    async def add(self, package: PackageVersion) -> PackageVersion:
        new_id = await self._insert(t, self._values(package))
        return replace(package, id=new_id)

    async def replace(self, existing: PackageVersion, package: PackageVersion) -> PackageVersion:
        """Overwrite: the same id and version, re-indexed from the new file."""
        assert existing.id is not None
        await self.conn.execute(t.update().where(t.c.id == existing.id).values(**self._values(package)))
        return replace(package, id=existing.id)

    async def delete(self, package: PackageVersion) -> None:
        await self.conn.execute(t.delete().where(t.c.id == package.id))

    async def stored_hashes(self) -> set[str]:
        """The files some package version holds (several versions may share the same bytes)."""
        return set((await self.conn.execute(sa.select(t.c.sha256).distinct())).scalars())

    async def used_by(self, package_id: str, version: str) -> builtins.list[ReleaseUse]:
        stmt = (
            sa.select(releases.c.id, releases.c.version, projects.c.name, release_packages.c.step)
            .select_from(release_packages.join(releases).join(projects, projects.c.id == releases.c.project_id))
            .where(
                release_packages.c.feed == BUILTIN_FEED,
                release_packages.c.package_key == package_id.lower(),
                release_packages.c.version_key == version.lower(),
            )
            .order_by(releases.c.id)
        )
        return [ReleaseUse(r.id, r.version, r.name, r.step) for r in await self.conn.execute(stmt)]

    async def unreferenced_before(self, cutoff: datetime) -> builtins.list[PackageVersion]:
        """Versions pushed before `cutoff` that no release deploys: what retention may remove."""
        used = sa.exists().where(
            release_packages.c.feed == BUILTIN_FEED,
            release_packages.c.package_key == t.c.package_key,
            release_packages.c.version_key == t.c.version_key,
        )
        stmt = sa.select(t).where(t.c.pushed_at < cutoff, ~used).order_by(t.c.id)
        return [self._from_row(r) for r in await self.conn.execute(stmt)]

    @staticmethod
    def _values(package: PackageVersion) -> dict[str, Any]:
        return {
            "package_id": package.package_id,
            "package_key": package.package_id.lower(),
            "version": package.version,
            "version_key": package.version.lower(),
            "format": str(package.format),
            "sha256": package.sha256,
            "size": package.size,
            "title": package.title,
            "pushed_at": package.pushed_at,
            "pushed_by": package.pushed_by,
        }
