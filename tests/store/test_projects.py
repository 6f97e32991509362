"""The projects and library variable sets repositories on both databases: processes and variables
round-trip, sensitive values encrypted at rest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from seaway.domain.process import Step, StepType
from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.variables import Variable
from seaway.errors import NotFound
from seaway.store.tables import library_variable_sets, projects

PROCESS = (Step("Say", StepType.SCRIPT, {"script": "echo hi"}), Step("Wait", StepType.NOOP, enabled=False))
VARIABLES = (Variable("Greeting", "hello"), Variable("Password", "s3cret-value", sensitive=True))


async def test_projects_are_added_saved_listed_and_deleted(services):
    async with services.store.transaction() as uow:
        quotes = await uow.projects.add(Project("Quotes", None, "q", PROCESS, VARIABLES, ("Shared",)))
        other = await uow.projects.add(Project("Other"))
        assert quotes.id is not None and other.id is not None
        assert await uow.projects.get(quotes.id) == quotes
        assert await uow.projects.find_by_name("QUOTES") == quotes
        assert await uow.projects.get_by_name("other") == other
        saved = await uow.projects.save(Project("Quotes", "Fast", "", PROCESS[:1], (), (), quotes.id))
        assert await uow.projects.get(quotes.id) == saved
        assert [p.name for p in await uow.projects.list()] == ["Quotes", "Other"]
        await uow.projects.delete(other.id)
        assert await uow.projects.find_by_name("Other") is None
    assert quotes.process == PROCESS and quotes.variables == VARIABLES


async def test_an_unknown_project_is_not_found(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as raised:
            await uow.projects.get(999)
        with pytest.raises(NotFound):
            await uow.projects.get_by_name("Nothing")
        with pytest.raises(NotFound):
            await uow.projects.delete(999)
    assert raised.value.entity == "project"


async def test_sensitive_values_are_stored_encrypted_and_read_back_in_clear(services):
    async with services.store.transaction() as uow:
        await uow.projects.add(Project("Quotes", variables=VARIABLES))
        added = await uow.library_variable_sets.add(LibraryVariableSet("Shared", VARIABLES))
        raw = [
            str(value)
            for table in (projects, library_variable_sets)
            for value in (await uow.conn.execute(sa.select(table.c.variables))).scalars()
        ]
        assert await uow.library_variable_sets.find_by_name("shared") == added
    assert len(raw) == 2 and not any("s3cret-value" in value for value in raw)
    assert all("hello" in value for value in raw)


async def test_library_variable_sets_are_added_saved_and_listed(services):
    async with services.store.transaction() as uow:
        shared = await uow.library_variable_sets.add(LibraryVariableSet("Shared", VARIABLES))
        assert shared.id is not None
        saved = await uow.library_variable_sets.save(LibraryVariableSet("Shared", VARIABLES[:1], shared.id))
        assert await uow.library_variable_sets.list() == [saved]
        assert await uow.library_variable_sets.find_by_name("Missing") is None
