"""The endpoints every named resource shares, from one table per resource.

    GET    /<plural>          list            200
    POST   /<plural>          create          201, 409 when the name is taken
    GET    /<plural>/{id}     read            200, 404 when unknown
    PUT    /<plural>/{id}     update          200, 404, 409
    DELETE /<plural>/{id}     delete          204, 404

Each endpoint is parse (the body model) → `allow` → one engine call in one transaction → representation.
A resource adds its own endpoints (a project's process, `users/me`) on the same router.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel

from seaway.domain.ids import parse_id
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.bodies import JsonRoute
from seaway.web.auth import AuthenticatedRead, CurrentUser, Reading, allow
from seaway.web.deps import services_of

Entity = TypeVar("Entity")
Model = TypeVar("Model", bound=BaseModel)
Entity_co = TypeVar("Entity_co", covariant=True)


@dataclass(frozen=True)
class Edit:
    """What a write hands the engine: its transaction, who asks, and the time."""

    uow: UnitOfWork
    user: User
    now: datetime


@dataclass(frozen=True)
class Resource(Generic[Entity, Model]):
    plural: str  # the path (`/environments`) and the endpoints' names (`list_environments`)
    kind: str  # the id kind (`Environments-3`) and the endpoints' names (`get_environment`)
    id_param: str  # the path parameter, as the OpenAPI document names it
    view: Permission
    edit: Permission
    body: type[Model]
    represent: Callable[[Entity], dict[str, Any]]
    list_all: Callable[[UnitOfWork], Awaitable[Sequence[Entity]]]
    find: Callable[[UnitOfWork, str], Awaitable[Entity]]
    create: Callable[[Edit, Model], Awaitable[Entity]]
    update: Callable[[Edit, str, Model], Awaitable[Entity]]
    delete: Callable[[Edit, str], Awaitable[None]]
    by_project: bool = False  # the path names a project, and permissions may be granted per project
    # The list's representations read without whole entities (a query of only the columns the list shows),
    # when `list_all` reads much that `represent` drops; None: `represent` each of `list_all`.
    list_represented: Callable[[UnitOfWork], Awaitable[list[dict[str, Any]]]] | None = None


class _Repository(Protocol[Entity_co]):
    async def get(self, entity_id: int, /) -> Entity_co: ...


def by_id(
    kind: str, repository: Callable[[UnitOfWork], _Repository[Entity]]
) -> Callable[[UnitOfWork, str], Awaitable[Entity]]:
    """`find` for a resource addressed by its id alone (`Teams-2` or `2`)."""

    async def find(uow: UnitOfWork, ref: str) -> Entity:
        return await repository(uow).get(parse_id(kind, ref))

    return find


def resource_router(tag: str) -> APIRouter:
    # Bodies are JSON whatever the Content-Type says (or lacks), as clients of this API have always sent them.
    return APIRouter(tags=[tag], route_class=JsonRoute, strict_content_type=False)


def install(router: APIRouter, resource: Resource[Any, Any]) -> None:
    """Add the five endpoints of `resource` to `router`."""
    one = f"/{resource.plural}/{{{resource.id_param}}}"

    def project_of(ref: str) -> str | None:
        return ref if resource.by_project else None

    async def list_all(request: Request, read: Reading) -> list[dict[str, Any]]:
        allow(read.user, resource.view)
        if resource.list_represented is not None:
            return await resource.list_represented(read.uow)
        return [resource.represent(entity) for entity in await resource.list_all(read.uow)]

    async def create(request: Request, user: User, body: BaseModel) -> dict[str, Any]:
        allow(user, resource.edit)
        services = services_of(request)
        async with services.store.transaction() as uow:
            return resource.represent(await resource.create(Edit(uow, user, services.clock.now()), body))

    async def read(request: Request, user: User, **path: str) -> dict[str, Any]:
        ref = path[resource.id_param]
        allow(user, resource.view, project=project_of(ref))
        async with services_of(request).store.reading() as uow:
            return resource.represent(await resource.find(uow, ref))

    async def update(request: Request, user: User, body: BaseModel, **path: str) -> dict[str, Any]:
        ref = path[resource.id_param]
        allow(user, resource.edit, project=project_of(ref))
        services = services_of(request)
        async with services.store.transaction() as uow:
            return resource.represent(await resource.update(Edit(uow, user, services.clock.now()), ref, body))

    async def delete(request: Request, user: User, **path: str) -> None:
        ref = path[resource.id_param]
        allow(user, resource.edit, project=project_of(ref))
        services = services_of(request)
        async with services.store.transaction() as uow:
            await resource.delete(Edit(uow, user, services.clock.now()), ref)

    endpoints = (
        ("GET", f"/{resource.plural}", f"list_{resource.plural}", list_all, 200, False, False, True),
        ("POST", f"/{resource.plural}", f"create_{resource.kind}", create, 201, False, True, False),
        ("GET", one, f"get_{resource.kind}", read, 200, True, False, False),
        ("PUT", one, f"update_{resource.kind}", update, 200, True, True, False),
        ("DELETE", one, f"delete_{resource.kind}", delete, 204, True, False, False),
    )
    for method, path, name, endpoint, status, has_ref, has_body, in_snapshot in endpoints:
        _declare(endpoint, resource, has_ref=has_ref, has_body=has_body, in_snapshot=in_snapshot)
        router.add_api_route(path, endpoint, methods=[method], name=name, status_code=status)


def _declare(
    endpoint: Callable[..., Any], resource: Resource[Any, Any], *, has_ref: bool, has_body: bool, in_snapshot: bool
) -> None:
    """Give `endpoint` the signature FastAPI reads: the resource's own path parameter and body model.

    The endpoints are shared, so their parameters are only known per resource; the signature is what puts
    `{team_id}` and the team's body schema into the OpenAPI document and has them parsed and validated.
    `in_snapshot`: the endpoint takes the `Reading` its key was checked in (`read`) instead of the `user`.
    """
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("request", keyword, annotation=Request)]
    if has_ref:
        parameters.append(inspect.Parameter(resource.id_param, keyword, annotation=str))
    if has_body:
        parameters.append(inspect.Parameter("body", keyword, annotation=resource.body))
    if in_snapshot:
        parameters.append(inspect.Parameter("read", keyword, annotation=AuthenticatedRead))
    else:
        parameters.append(inspect.Parameter("user", keyword, annotation=CurrentUser))
    returns = inspect.signature(endpoint, eval_str=True).return_annotation
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
