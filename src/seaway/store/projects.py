from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.targeting import Connectivity
from seaway.store.base import Repository, row_as
from seaway.store.codecs import (
    connectivity_from_json,
    connectivity_to_json,
    process_from_json,
    process_to_json,
    variables_from_json,
    variables_to_json,
)
from seaway.store.package_codecs import channels_from_json, channels_to_json
from seaway.store.tables import library_variable_sets as lvs
from seaway.store.tables import projects as t


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    """What a list of projects shows: neither the process nor the variables (none decoded, none decrypted)."""

    id: int
    name: str
    lifecycle: str | None
    description: str
    includes: tuple[str, ...]
    connectivity: Connectivity
    tags: tuple[str, ...] = ()


class ProjectRepository(Repository):
    def _from_row(self, row: Any) -> Project:
        return row_as(
            Project,
            row,
            process=process_from_json(row.process),
            variables=variables_from_json(row.variables, self.cipher),
            channels=channels_from_json(row.channels),
            connectivity=connectivity_from_json(row.connectivity),
        )

    async def list(self) -> list[Project]:
        return [self._from_row(r) for r in await self.conn.execute(sa.select(t).order_by(t.c.id))]

    async def list_summaries(self) -> builtins.list[ProjectSummary]:
        """Every project in id order, as `list` returns them but only the columns a list of projects shows."""
        return [
            ProjectSummary(
                row.id,
                row.name,
                row.lifecycle,
                row.description,
                tuple(row.includes),
                connectivity_from_json(row.connectivity),
                tuple(row.tags),
            )
            for row in await self.conn.execute(_SUMMARIES)
        ]

    async def get(self, project_id: int) -> Project:
        return self._from_row(await self._one(sa.select(t).where(t.c.id == project_id), "project", project_id))

    async def find_by_name(self, name: str) -> Project | None:
        row = (await self.conn.execute(sa.select(t).where(t.c.name_key == name.lower()))).first()
        return self._from_row(row) if row else None

    async def get_by_name(self, name: str) -> Project:
        return self._from_row(await self._one(sa.select(t).where(t.c.name_key == name.lower()), "project", name))

    async def add(self, project: Project) -> Project:
        new_id = await self._insert(t, self._values(project))
        return self._with_id(project, new_id)

    async def save(self, project: Project) -> Project:
        assert project.id is not None
        await self.conn.execute(t.update().where(t.c.id == project.id).values(**self._values(project)))
        return project

    async def delete(self, project_id: int) -> None:
        await self.get(project_id)
        await self.conn.execute(t.delete().where(t.c.id == project_id))

    def _values(self, project: Project) -> dict[str, Any]:
        return {
            "name": project.name,
            "name_key": project.name.lower(),
            "lifecycle": project.lifecycle,
            "description": project.description,
            "process": process_to_json(project.process),
            "variables": variables_to_json(project.variables, self.cipher),
            "includes": list(project.includes),
            "channels": channels_to_json(project.channels),
            "release_on_push": project.release_on_push,
            "connectivity": connectivity_to_json(project.connectivity),
            "tags": list(project.tags),
        }

    @staticmethod
    def _with_id(project: Project, new_id: int) -> Project:
        return replace(project, id=new_id)


class LibraryVariableSetRepository(Repository):
    def _from_row(self, row: Any) -> LibraryVariableSet:
        return LibraryVariableSet(row.name, variables_from_json(row.variables, self.cipher), row.id)

    async def list(self) -> list[LibraryVariableSet]:
        return [self._from_row(r) for r in await self.conn.execute(sa.select(lvs).order_by(lvs.c.id))]

    async def find_by_name(self, name: str) -> LibraryVariableSet | None:
        row = (await self.conn.execute(sa.select(lvs).where(lvs.c.name_key == name.lower()))).first()
        return self._from_row(row) if row else None

    async def add(self, variable_set: LibraryVariableSet) -> LibraryVariableSet:
        new_id = await self._insert(lvs, self._values(variable_set))
        return LibraryVariableSet(variable_set.name, variable_set.variables, new_id)

    async def save(self, variable_set: LibraryVariableSet) -> LibraryVariableSet:
        assert variable_set.id is not None
        await self.conn.execute(lvs.update().where(lvs.c.id == variable_set.id).values(**self._values(variable_set)))
        return variable_set

    def _values(self, variable_set: LibraryVariableSet) -> dict[str, Any]:
        return {
            "name": variable_set.name,
            "name_key": variable_set.name.lower(),
            "variables": variables_to_json(variable_set.variables, self.cipher),
        }


_SUMMARIES = sa.select(
    t.c.id, t.c.name, t.c.lifecycle, t.c.description, t.c.includes, t.c.connectivity, t.c.tags
).order_by(t.c.id)
