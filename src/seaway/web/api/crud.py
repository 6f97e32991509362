"""The endpoints every named resource shares, from one table per resource.

    GET    /<plural>          list            200 (filtered to what the caller may see)
    POST   /<plural>          create          201, 409 when the name is taken
    GET    /<plural>/{id}     read            200, 404 when unknown or not visible
    PUT    /<plural>/{id}     update          200, 404, 409
    DELETE /<plural>/{id}     delete          204, 404

Each endpoint is parse (the body model) → the checks of `web/access.py` → one engine call in one
transaction → representation. A resource `scoped_by` a dimension is checked by its name (a project's grants
name projects, an environment's name environments); creating one needs the permission for every project (or
environment), and a rename needs it for the new name too. Every write records its audit event, with the
fields it changed, in the same transaction. A resource adds its own endpoints (a project's process,
`users/me`) on the same router.

What follows from a resource's kind is its default, so a plain resource names only its kind, body,
representation, repository and engine (`Engine`); the rest is given where it differs.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeAlias, TypeVar, cast

from fastapi import APIRouter, Request
from pydantic import BaseModel

from seaway.config.reader import Node
from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Dimension, Permission
from seaway.domain.users import User
from seaway.engine.projects import looks_like_id
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, require, require_visible, visible
from seaway.web.api.bodies import DocumentBody, JsonRoute
from seaway.web.api.changes import Fields, plain, record_change
from seaway.web.auth import AuthenticatedRead, CurrentUser, Reading
from seaway.web.clients import api_actor
from seaway.web.deps import services_of

Entity = TypeVar("Entity")
Model = TypeVar("Model", bound=BaseModel)
Entity_co = TypeVar("Entity_co", covariant=True)
Ref = TypeVar("Ref")  # what the engine names an existing object by: the reference as sent, or its number


@dataclass(frozen=True)
class Edit:
    """What a write hands the engine: its transaction, who asks (and through what), and the time."""

    uow: UnitOfWork
    user: User
    now: datetime
    actor: Actor


# An endpoint's writes, given the edit, the reference in the path (`Teams-2`, or a name) and the body:
# `Create[body model, entity]`.
Create: TypeAlias = Callable[[Edit, Model], Awaitable[Entity]]
Update: TypeAlias = Callable[[Edit, str, Model], Awaitable[Entity]]
Delete: TypeAlias = Callable[[Edit, str], Awaitable[None]]


def number(kind: str, ref: str) -> int:
    """The number a reference of `kind` carries (`Teams-2` or `2`), for an engine that takes the number."""
    return parse_id(kind, ref)


def as_sent(kind: str, ref: str) -> str:
    """The reference as the path has it (`Accounts-1` or a name), for an engine that resolves it itself."""
    return ref


class Repository(Protocol[Entity_co]):
    """Where a resource's objects are kept, as its default list and look-up read them."""

    async def list(self) -> Sequence[Entity_co]: ...

    async def get(self, entity_id: int, /) -> Entity_co: ...


@dataclass(frozen=True)
class Engine(Generic[Entity, Ref]):
    """An engine's writes that need nothing but the object the body describes (read as the config document's
    `reader` reads the same object) and the existing object's reference, as `ref` makes it of the path's."""

    create: Callable[[UnitOfWork, Entity], Awaitable[Entity]] | None = None
    update: Callable[[UnitOfWork, Ref, Entity], Awaitable[Entity]] | None = None
    delete: Callable[[UnitOfWork, Ref], Awaitable[object]] | None = None
    _: KW_ONLY
    ref: Callable[[str, str], Ref]  # `number` or `as_sent`
    reader: Callable[[Node], Entity] | None = None  # what `create` and `update` read the body with

    def __post_init__(self) -> None:
        if self.reader is None and (self.create is not None or self.update is not None):
            raise TypeError("an engine that creates or updates needs the reader of its body")

    def creates(self) -> Create[DocumentBody, Entity] | None:
        """The endpoint's create: the engine's, of the object the body describes."""
        create, reader = self.create, self.reader
        if create is None or reader is None:
            return None

        async def created(edit: Edit, body: DocumentBody) -> Entity:
            return await create(edit.uow, reader(body.node()))

        return created

    def updates(self, kind: str) -> Update[DocumentBody, Entity] | None:
        """The endpoint's update: the engine's, of the object a reference of `kind` names, to what the body says."""
        update, reader, ref_of = self.update, self.reader, self.ref
        if update is None or reader is None:
            return None

        async def updated(edit: Edit, ref: str, body: DocumentBody) -> Entity:
            return await update(edit.uow, ref_of(kind, ref), reader(body.node()))

        return updated

    def deletes(self, kind: str) -> Delete | None:
        """The endpoint's delete: the engine's, of the object a reference of `kind` names."""
        delete, ref_of = self.delete, self.ref
        if delete is None:
            return None

        async def deleted(edit: Edit, ref: str) -> None:
            await delete(edit.uow, ref_of(kind, ref))

        return deleted


class Resource(Generic[Entity, Model]):
    """One resource's table. What follows from its `kind` is the default: the path `/<kind>s`, the path
    parameter `<kind>_id`, the permissions `<kind>.view` and `<kind>.edit`, the list and the look-up by id
    from its `repository`; each write is the `engine`'s unless written here (`create`, `update`, `delete`)
    for one that does more than the engine call."""

    def __init__(
        self,
        *,
        kind: str,
        body: type[Model],
        represent: Callable[[Entity], dict[str, Any]],
        repository: Callable[[UnitOfWork], Repository[Entity]] | None = None,
        engine: Engine[Entity, Any] | None = None,
        create: Create[Model, Entity] | None = None,
        update: Update[Model, Entity] | None = None,
        delete: Delete | None = None,
        plural: str | None = None,
        id_param: str | None = None,
        view: Permission | None = None,
        edit: Permission | None = None,
        list_all: Callable[[UnitOfWork], Awaitable[Sequence[Entity]]] | None = None,
        find: Callable[[UnitOfWork, str], Awaitable[Entity]] | None = None,
        list_represented: Callable[[UnitOfWork], Awaitable[list[dict[str, Any]]]] | None = None,
        scoped_by: Dimension | None = None,
        audited: Callable[[Entity], Fields] | None = None,
    ) -> None:
        self.kind = kind  # the id kind (`Environments-3`) and the endpoints' names (`get_environment`)
        self.plural = plural or f"{kind}s"  # the path (`/environments`) and the endpoints' names
        self.id_param = id_param or f"{kind}_id"  # the path parameter, as the OpenAPI document names it
        self.view = view or Permission(f"{kind}.view")
        self.edit = edit or Permission(f"{kind}.edit")
        self.body = body
        self.represent = represent
        self.list_all = list_all or _listed(_required(repository, f"{kind}: list_all or repository"))
        self.find = find or _by_id(kind, _required(repository, f"{kind}: find or repository"))
        # The list's representations read without whole entities (a query of only the columns the list shows),
        # when `list_all` reads much that `represent` drops; None: `represent` each of `list_all`.
        self.list_represented = list_represented
        # The dimension an object's name scopes (a project's grants name projects); None: checked unscoped.
        self.scoped_by = scoped_by
        # The object as its audit events compare it; None: its representation.
        self.audited = audited
        if engine is not None and (engine.create or engine.update) and not issubclass(body, DocumentBody):
            raise TypeError(f"{kind}: an engine reads its body as the config document's reader does")
        # An engine's create and update read a DocumentBody, which the body model was just checked to be.
        self.create: Create[Model, Entity] = _one(
            f"{kind}: create", create, cast("Create[Model, Entity] | None", engine.creates() if engine else None)
        )
        self.update: Update[Model, Entity] = _one(
            f"{kind}: update", update, cast("Update[Model, Entity] | None", engine.updates(kind) if engine else None)
        )
        self.delete: Delete = _one(f"{kind}: delete", delete, engine.deletes(kind) if engine else None)

    def where(self, name: str) -> Where:
        """Where an object of this resource named `name` lies, as its permissions are checked."""
        if self.scoped_by is Dimension.PROJECT:
            return Where(project=name)
        if self.scoped_by is Dimension.ENVIRONMENT:
            return Where(environment=name)
        return Where()

    def where_of(self, entity: Any) -> Where:
        return self.where(str(entity.name)) if self.scoped_by is not None else Where()

    def fields(self, entity: Entity) -> Fields:
        return self.audited(entity) if self.audited is not None else plain(self.represent(entity))


Given = TypeVar("Given")


def _required(given: Given | None, what: str) -> Given:
    if given is None:
        raise TypeError(f"a resource needs {what}")
    return given


def _one(what: str, written: Given | None, by_engine: Given | None) -> Given:
    """The write a resource has: written for it, or its engine's; never both."""
    if written is not None and by_engine is not None:
        raise TypeError(f"{what} is written for the resource and is its engine's too")
    return _required(written or by_engine, what)


def _listed(
    repository: Callable[[UnitOfWork], Repository[Entity]],
) -> Callable[[UnitOfWork], Awaitable[Sequence[Entity]]]:
    async def list_all(uow: UnitOfWork) -> Sequence[Entity]:
        return await repository(uow).list()

    return list_all


def _by_id(
    kind: str, repository: Callable[[UnitOfWork], Repository[Entity]]
) -> Callable[[UnitOfWork, str], Awaitable[Entity]]:
    """`find` for a resource addressed by its id alone (`Teams-2` or `2`)."""

    async def find(uow: UnitOfWork, ref: str) -> Entity:
        return await repository(uow).get(parse_id(kind, ref))

    return find


def resource_router(tag: str) -> APIRouter:
    # Bodies are JSON whatever the Content-Type says (or lacks), as clients of this API have always sent them.
    return APIRouter(tags=[tag], route_class=JsonRoute, strict_content_type=False)


def router_of(resource: Resource[Any, Any]) -> APIRouter:
    """A router with the five endpoints of `resource`, tagged with its plural; its own endpoints join it."""
    router = resource_router(resource.plural)
    install(router, resource)
    return router


def ident_of(kind: str, ref: str) -> object:
    """What the repository names an unknown `ref` by in its NotFound: the number of an id, else the name."""
    return parse_id(kind, ref) if looks_like_id(kind, ref) else ref


def install(router: APIRouter, resource: Resource[Any, Any]) -> None:
    """Add the five endpoints of `resource` to `router`."""
    one = f"/{resource.plural}/{{{resource.id_param}}}"
    kind = resource.kind

    async def visible_one(uow: UnitOfWork, user: User, ref: str) -> Any:
        """The object `ref` names, if `user` may see it; otherwise the NotFound of an unknown one."""
        if resource.scoped_by is None:
            require(user, resource.view)  # before the look-up: every id, known or not, is refused alike
            return await resource.find(uow, ref)
        entity = await resource.find(uow, ref)
        require_visible(user, resource.view, resource.where_of(entity), kind, ident_of(kind, ref))
        return entity

    async def record(edit: Edit, what: str, entity: Any, before: Any, after: Any) -> None:
        where = resource.where_of(entity)
        await record_change(
            edit.uow,
            edit.actor,
            now=edit.now,
            action=f"{kind}.{what}",
            entity=kind,
            entity_id=format_id(kind, entity.id),
            before=resource.fields(before) if before is not None else None,
            after=resource.fields(after) if after is not None else None,
            project=where.project,
            environment=where.environment,
        )

    async def list_all(request: Request, read: Reading) -> list[dict[str, Any]]:
        if resource.list_represented is not None:
            listed = await resource.list_represented(read.uow)
            return visible(read.user, resource.view, listed, lambda shown: resource.where(shown["name"]))
        entities = visible(read.user, resource.view, await resource.list_all(read.uow), resource.where_of)
        return [resource.represent(entity) for entity in entities]

    async def create(request: Request, user: User, body: BaseModel) -> dict[str, Any]:
        require(user, resource.edit)  # everywhere: a new name is in nobody's scope yet
        services = services_of(request)
        async with services.store.transaction() as uow:
            edit = Edit(uow, user, services.clock.now(), api_actor(request, user))
            created = await resource.create(edit, body)
            await record(edit, "created", created, None, created)
            return resource.represent(created)

    async def read(request: Request, user: User, **path: str) -> dict[str, Any]:
        async with services_of(request).store.reading() as uow:
            return resource.represent(await visible_one(uow, user, path[resource.id_param]))

    @asynccontextmanager
    async def editing(request: Request, user: User, ref: str) -> AsyncIterator[tuple[Edit, Any]]:
        """The edit of the object `ref` names, in one transaction, once `user` may change it as it stands."""
        services = services_of(request)
        async with services.store.transaction() as uow:
            before = await visible_one(uow, user, ref)
            require(user, resource.edit, resource.where_of(before))
            yield Edit(uow, user, services.clock.now(), api_actor(request, user)), before

    async def update(request: Request, user: User, body: BaseModel, **path: str) -> dict[str, Any]:
        ref = path[resource.id_param]
        async with editing(request, user, ref) as (edit, before):
            after = await resource.update(edit, ref, body)
            require(user, resource.edit, resource.where_of(after))  # a rename: the new name is in scope too
            await record(edit, "updated", after, before, after)
            return resource.represent(after)

    async def delete(request: Request, user: User, **path: str) -> None:
        ref = path[resource.id_param]
        async with editing(request, user, ref) as (edit, before):
            await resource.delete(edit, ref)
            await record(edit, "deleted", before, before, None)

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
