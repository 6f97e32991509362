"""Applying a config-as-code document: match by name, create or update, never duplicate.

The whole document is applied in the caller's transaction, so an error anywhere changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

from seaway.config.documents import SpaceDocument
from seaway.domain.environments import Environment
from seaway.domain.users import User
from seaway.engine.lifecycles import check_lifecycle
from seaway.engine.projects import check_project, check_variable_scopes
from seaway.engine.teams import check_team
from seaway.store.unit_of_work import UnitOfWork


class _HasName(Protocol):
    """A config-document object (a dataclass) that is matched to a stored one by name."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def name(self) -> str: ...
    @property
    def id(self) -> int | None: ...


_Named = TypeVar("_Named", bound=_HasName)


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
        await _upsert(uow.lifecycles, "lifecycle", lifecycle, result)
    for variable_set, path in doc.library_variable_sets:
        check_variable_scopes(variable_set.variables, environment_names, None, path=f"{path}.variables")
        await _upsert(uow.library_variable_sets, "library variable set", variable_set, result)
    for user in doc.users:
        await _user(uow, user, now, result)
    for team, path in doc.teams:
        await check_team(uow, team, path=path)
        await _upsert(uow.teams, "team", team, result)
    for project, path in doc.projects:
        await check_project(uow, project, path=path)
        await _upsert(uow.projects, "project", project, result)
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


class _NamedRepository(Protocol[_Named]):
    async def find_by_name(self, name: str, /) -> _Named | None: ...
    async def add(self, item: _Named, /) -> _Named: ...
    async def save(self, item: _Named, /) -> _Named: ...


async def _upsert(repository: _NamedRepository[_Named], kind: str, item: _Named, result: ApplyResult) -> None:
    """Add `item`, or save it over the stored one of the same name (keeping that one's id), and record which."""
    existing = await repository.find_by_name(item.name)
    if existing is None:
        await repository.add(item)
        result.record(kind, item.name, "created")
        return
    updated = replace(item, id=existing.id)
    await repository.save(updated)
    result.record(kind, item.name, _outcome(updated, existing))
