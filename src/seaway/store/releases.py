from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from seaway.domain.releases import Release
from seaway.domain.states import TaskState
from seaway.domain.variables import Variable
from seaway.store.base import Repository, row_as
from seaway.store.codecs import process_from_json, process_to_json, variables_from_json, variables_to_json
from seaway.store.package_codecs import references_from_json, references_to_json
from seaway.store.tables import deployments, release_packages, tasks
from seaway.store.tables import releases as t


class ReleaseRepository(Repository):
    def _from_row(self, row: Any) -> Release:
        return row_as(
            Release,
            row,
            process=process_from_json(row.process),
            variables=variables_from_json(row.variables, self.cipher),
            packages=references_from_json(row.packages),
        )

    async def get(self, release_id: int) -> Release:
        return self._from_row(await self._one(sa.select(t).where(t.c.id == release_id), "release", release_id))

    async def find_by_version(self, project_id: int, version: str) -> Release | None:
        stmt = sa.select(t).where(t.c.project_id == project_id, t.c.version_key == version.lower())
        row = (await self.conn.execute(stmt)).first()
        return self._from_row(row) if row else None

    async def versions(self, project_id: int) -> list[str]:
        stmt = sa.select(t.c.version).where(t.c.project_id == project_id).order_by(t.c.id)
        return list((await self.conn.execute(stmt)).scalars())

    async def previous(self, project_id: int, before_id: int) -> Release | None:
        stmt = sa.select(t).where(t.c.project_id == project_id, t.c.id < before_id).order_by(t.c.id.desc()).limit(1)
        row = (await self.conn.execute(stmt)).first()
        return self._from_row(row) if row else None

    async def list_for_project(self, project_id: int, limit: int = 100) -> list[Release]:
        stmt = sa.select(t).where(t.c.project_id == project_id).order_by(t.c.id.desc()).limit(limit)
        return [self._from_row(r) for r in await self.conn.execute(stmt)]

    async def add(self, release: Release) -> Release:
        new_id = await self._insert(
            t,
            {
                "project_id": release.project_id,
                "version": release.version,
                "version_key": release.version.lower(),
                "notes": release.notes,
                "process": process_to_json(release.process),
                "variables": variables_to_json(release.variables, self.cipher),
                "packages": references_to_json(release.packages),
                "created_at": release.created_at,
                "created_by": release.created_by,
                "channel": release.channel,
            },
        )
        if release.packages:
            rows = [
                {
                    "release_id": new_id,
                    "step": p.step,
                    "feed": p.feed.lower(),
                    "package_key": p.package_id.lower(),
                    "version_key": p.version.lower(),
                }
                for p in release.packages
            ]
            await self.conn.execute(release_packages.insert(), rows)
        return replace(release, id=new_id)

    async def replace_variables(self, release_id: int, variables: tuple[Variable, ...]) -> None:
        """Re-take a release's variable snapshot (`engine/release_snapshots.py`)."""
        stmt = t.update().where(t.c.id == release_id).values(variables=variables_to_json(variables, self.cipher))
        await self.conn.execute(stmt)

    async def deployments_in_progress(self, release_id: int) -> list[int]:
        """The deployments of the release whose task has started and not ended: they read its snapshot."""
        started = (TaskState.EXECUTING.value, TaskState.WAITING.value)
        stmt = (
            sa.select(deployments.c.id)
            .select_from(deployments.join(tasks, tasks.c.deployment_id == deployments.c.id))
            .where(deployments.c.release_id == release_id, tasks.c.state.in_(started))
            .order_by(deployments.c.id)
        )
        return list((await self.conn.execute(stmt)).scalars())
