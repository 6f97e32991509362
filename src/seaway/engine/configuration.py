"""Applying a config-as-code document: match by name, create or update, never duplicate.

The whole document is applied in the caller's transaction, so an error anywhere changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from seaway.config.documents import SpaceDocument
from seaway.domain.environments import Environment
from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.users import Team, User
from seaway.engine.lifecycles import check_lifecycle
from seaway.engine.projects import check_project, check_variable_scopes
from seaway.engine.teams import check_team
from seaway.store.unit_of_work import UnitOfWork


@dataclass
class ApplyResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def record(self, kind: str, name: str, outcome: str) -> None:
        getattr(self, outcome).append(f"{kind} {name}")


async def apply_document(uow: UnitOfWork, doc: SpaceDocument, *, now: datetime) -> ApplyResult:
    result = ApplyResult(warnings=list(doc.warnings))
    await _environments(uow, doc, result)
    environment_names = [e.name for e in await uow.environments.list()]
    for lifecycle, path in doc.lifecycles:
        await check_lifecycle(uow, lifecycle, path=path)
        existing = await uow.lifecycles.find_by_name(lifecycle.name)
        if existing is None:
            await uow.lifecycles.add(lifecycle)
            result.record("lifecycle", lifecycle.name, "created")
        else:
            updated = replace(lifecycle, id=existing.id)
            await uow.lifecycles.save(updated)
            result.record("lifecycle", lifecycle.name, _outcome(updated, existing))
    for variable_set, path in doc.library_variable_sets:
        check_variable_scopes(variable_set.variables, environment_names, None, path=f"{path}.variables")
        found = await uow.library_variable_sets.find_by_name(variable_set.name)
        if found is None:
            await uow.library_variable_sets.add(variable_set)
            result.record("library variable set", variable_set.name, "created")
        else:
            updated_set = LibraryVariableSet(variable_set.name, variable_set.variables, found.id)
            await uow.library_variable_sets.save(updated_set)
            result.record("library variable set", variable_set.name, _outcome(updated_set, found))
    for user in doc.users:
        await _user(uow, user, now, result)
    for team, path in doc.teams:
        await _team(uow, team, path, result)
    for project, path in doc.projects:
        await _project(uow, project, path, result)
    return result


def _outcome(updated: object, existing: object) -> str:
    return "unchanged" if updated == existing else "updated"


async def _environments(uow: UnitOfWork, doc: SpaceDocument, result: ApplyResult) -> None:
    for order, name in enumerate(doc.environments):
        existing = await uow.environments.find_by_name(name)
        if existing is None:
            await uow.environments.add(Environment(name=name, sort_order=order))
            result.record("environment", name, "created")
        elif existing.sort_order != order or existing.name != name:
            await uow.environments.save(Environment(name, order, existing.description, existing.id))
            result.record("environment", name, "updated")
        else:
            result.record("environment", name, "unchanged")


async def _user(uow: UnitOfWork, user: User, now: datetime, result: ApplyResult) -> None:
    existing = await uow.users.find_by_username(user.username)
    if existing is None:
        await uow.users.add(user, now)
        result.record("user", user.username, "created")
        return
    updated = User(
        user.username, user.display_name, user.email, user.is_admin or existing.is_admin, user.active, existing.id
    )
    await uow.users.save(updated)
    result.record("user", user.username, _outcome(updated, existing))


async def _team(uow: UnitOfWork, team: Team, path: str, result: ApplyResult) -> None:
    await check_team(uow, team, path=path)
    existing = await uow.teams.find_by_name(team.name)
    if existing is None:
        await uow.teams.add(team)
        result.record("team", team.name, "created")
    else:
        updated = Team(team.name, team.members, team.roles, existing.id)
        await uow.teams.save(updated)
        result.record("team", team.name, _outcome(updated, existing))


async def _project(uow: UnitOfWork, project: Project, path: str, result: ApplyResult) -> None:
    await check_project(uow, project, path=path)
    existing = await uow.projects.find_by_name(project.name)
    if existing is None:
        await uow.projects.add(project)
        result.record("project", project.name, "created")
    else:
        updated = replace(project, id=existing.id)
        await uow.projects.save(updated)
        result.record("project", project.name, _outcome(updated, existing))
