"""How the API and the pages ask the one seam (`permissions.authorize`) about an object, one rule for all:

- **Viewing.** An object the user may not view is a `NotFound` with the very message an unknown id gets,
  so its existence does not leak. A permission about neither a project nor an environment (teams,
  lifecycles, users, the outbox) cannot hide one object and show another: without it every id, known or
  not, is a 403.
- **Acting** on a visible object without the permission: a 403 naming the permission and the scope that
  is missing (`missing permission deployment.create for environment "Prod"`).
- **Lists** under a permission about projects or environments are filtered, and empty when nothing is
  visible; a list under a permission about neither is all or a 403.
- **A refused write** is audited as `permission.refused` (`record_refusal`), in a transaction of its own:
  the refused request's own transaction rolled back, so the event is all it leaves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar
from weakref import WeakKeyDictionary

from fastapi import BackgroundTasks, Request

from seaway.domain.actors import Actor
from seaway.domain.permissions import Permission, allows, authorize, dimensions_of
from seaway.domain.states import TaskState
from seaway.domain.tasks import Task
from seaway.domain.users import User
from seaway.errors import NotFound, PermissionDenied, SeawayError
from seaway.store.audit import AuditEvent
from seaway.store.scopes import Scopes, Where
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.auth import api_key_or_browser_user
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

__all__ = ["Scopes", "Where"]

log = logging.getLogger(__name__)
T = TypeVar("T")
EVERYWHERE = Where()
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Refusal:
    """Who was refused what, where: what `record_refusal` writes, kept beside the error it raised."""

    user: User
    permission: Permission
    where: Where


_refusals: WeakKeyDictionary[SeawayError, Refusal] = WeakKeyDictionary()


def may(user: User, permission: Permission, where: Where = EVERYWHERE) -> bool:
    return allows(user, permission, where.project, where.environment)


def require(user: User, permission: Permission, where: Where = EVERYWHERE) -> None:
    """403 unless `user` holds `permission` there (`authorize`'s message names what is missing)."""
    try:
        authorize(user, permission, where.project, where.environment)
    except PermissionDenied as exc:
        _refusals[exc] = Refusal(user, permission, where)
        raise


def hidden(entity: str, ident: object) -> NotFound:
    """What an unknown id gets from its repository, for an object the caller may not see."""
    return NotFound(f"{entity} {ident} does not exist", entity=entity, id=str(ident))


def require_visible(user: User, permission: Permission, where: Where, entity: str, ident: object) -> None:
    """`hidden(entity, ident)` unless the user may view the object; a 403 for a permission about neither a
    project nor an environment, which every object of its kind shares, and for a disabled user."""
    if not dimensions_of(permission) or not user.active:
        require(user, permission)
    elif not may(user, permission, where):
        raise hidden(entity, ident)


def visible(user: User, permission: Permission, items: Iterable[T], where_of: Callable[[T], Where]) -> list[T]:
    """The items `user` may see, in order; for a permission about neither dimension, all of them or a 403.
    A disabled user is refused, not shown an empty list."""
    if not dimensions_of(permission) or not user.active:
        require(user, permission)
        return list(items)
    return [item for item in items if may(user, permission, where_of(item))]


def holds_anywhere(user: User, permission: Permission) -> bool:
    """Whether any grant of `user` has `permission` at all: when not, no object passes `may`, and a list
    need not read a single row to come out empty."""
    return user.active and (user.is_admin or any(str(permission) in grant.permissions for grant in user.grants))


async def visible_tasks(
    uow: UnitOfWork, user: User, permission: Permission, *, state: TaskState | None = None, limit: int = 100
) -> list[tuple[Task, Where]]:
    """The newest `limit` tasks `user` may see, paging past the ones they may not."""
    if not user.active:
        require(user, permission)
    if not holds_anywhere(user, permission):
        return []
    scopes = Scopes(uow.conn)
    found: list[tuple[Task, Where]] = []
    before = None
    while len(found) < limit:
        page = await scopes.tasks(state=state, before=before, limit=limit)
        found.extend((task, where) for task, where in page if may(user, permission, where))
        if len(page) < limit:
            break
        before = page[-1][0].id
    return found[:limit]


async def deployment_target(uow: UnitOfWork, project: str | None, environment: str) -> Where:
    """Where a deployment of `project` to the environment named `environment` would run, by the environment's
    own name (`prod` asks for Prod); an unknown name as it was asked for."""
    found = await uow.environments.find_by_name(environment)
    return Where(project, found.name if found is not None else environment)


def is_write(request: Request) -> bool:
    return request.method.upper() in _WRITE_METHODS


async def record_refusal(request: Request, error: PermissionDenied, actor: Actor | None = None) -> None:
    """Audit a refused write as `permission.refused`, naming the permission and the scope it was asked for.

    `actor`: who was refused, when the caller knows (the pages); otherwise the refused check's user, or the
    request's caller authenticated again (a refusal raised past `require`)."""
    refusal = _refusals.get(error)
    if actor is None:
        user = refusal.user if refusal is not None else await _caller(request)
        if user is None:
            return
        actor = api_actor(request, user)
    where = refusal.where if refusal is not None else EVERYWHERE
    permission = str(refusal.permission) if refusal is not None else (error.id or error.code)
    services = services_of(request)
    details: dict[str, object] = {
        "permission": permission,
        "project": where.project,
        "environment": where.environment,
        "code": error.code,
        "message": error.message,
        "method": request.method,
        "path": request.url.path,
    }
    try:
        async with services.store.transaction() as uow:
            await uow.audit.record(
                AuditEvent.by(
                    actor,
                    at=services.clock.now(),
                    action="permission.refused",
                    entity="permission",
                    entity_id=permission,
                    details=details,
                    project=where.project,
                    environment=where.environment,
                )
            )
    except Exception:  # the refusal stands whether or not it could be recorded
        log.exception("could not record the refusal of %s %s", request.method, request.url.path)


async def _caller(request: Request) -> User | None:
    try:
        # Only to name who was refused: the key's last use was recorded when the request was authenticated.
        return await api_key_or_browser_user(request, BackgroundTasks())
    except SeawayError:
        return None
