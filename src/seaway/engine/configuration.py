"""Applying a config-as-code document: match by name, create or update, never duplicate.

The whole document is applied in the caller's transaction, so an error anywhere changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from seaway.config.documents import SpaceDocument
from seaway.domain.environments import Environment
from seaway.domain.lifecycles import validate_lifecycle
from seaway.domain.process import validate_process
from seaway.domain.projects import LibraryVariableSet, Project
from seaway.domain.users import Team, User
from seaway.domain.variables import Variable
from seaway.errors import InvalidInput
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
        validate_lifecycle(lifecycle, environment_names, path=path)
        existing = await uow.lifecycles.find_by_name(lifecycle.name)
        if existing is None:
            await uow.lifecycles.add(lifecycle)
            result.record("lifecycle", lifecycle.name, "created")
        else:
            updated = replace(lifecycle, id=existing.id)
            await uow.lifecycles.save(updated)
            result.record("lifecycle", lifecycle.name, _outcome(updated, existing))
    for variable_set, path in doc.library_variable_sets:
        _check_scopes(variable_set.variables, environment_names, None, f"{path}.variables")
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
        await _project(uow, project, path, environment_names, result)
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
    for index, member in enumerate(team.members):
        if await uow.users.find_by_username(member) is None:
            raise InvalidInput(f'unknown user "{member}"', field=f"{path}.members[{index}]")
    existing = await uow.teams.find_by_name(team.name)
    if existing is None:
        await uow.teams.add(team)
        result.record("team", team.name, "created")
    else:
        updated = Team(team.name, team.members, team.roles, existing.id)
        await uow.teams.save(updated)
        result.record("team", team.name, _outcome(updated, existing))


async def _project(
    uow: UnitOfWork, project: Project, path: str, environment_names: list[str], result: ApplyResult
) -> None:
    if project.lifecycle and await uow.lifecycles.find_by_name(project.lifecycle) is None:
        raise InvalidInput(f'unknown lifecycle "{project.lifecycle}"', field=f"{path}.lifecycle")
    for index, name in enumerate(project.includes):
        if await uow.library_variable_sets.find_by_name(name) is None:
            raise InvalidInput(f'unknown library variable set "{name}"', field=f"{path}.include[{index}]")
    validate_process(project.process, environment_names, path=f"{path}.process")
    _check_scopes(project.variables, environment_names, [s.name for s in project.process], f"{path}.variables")
    existing = await uow.projects.find_by_name(project.name)
    if existing is None:
        await uow.projects.add(project)
        result.record("project", project.name, "created")
    else:
        updated = replace(project, id=existing.id)
        await uow.projects.save(updated)
        result.record("project", project.name, _outcome(updated, existing))


def _check_scopes(
    variables: tuple[Variable, ...], environments: Sequence[str], steps: Sequence[str] | None, path: str
) -> None:
    """Scopes name environments and steps that must exist; a library set's step scopes are checked per project."""
    known_envs = {e.lower() for e in environments}
    known_steps = {s.lower() for s in steps} if steps is not None else set()
    for index, variable in enumerate(variables):
        for e_index, env in enumerate(sorted(variable.scope.environments)):
            if env.lower() not in known_envs:
                raise InvalidInput(
                    f'unknown environment "{env}"', field=f"{path}[{index}].scope.environment[{e_index}]"
                )
        for s_index, step in enumerate(sorted(variable.scope.steps)):
            if steps is not None and step.lower() not in known_steps:
                raise InvalidInput(f'unknown step "{step}"', field=f"{path}[{index}].scope.step[{s_index}]")
