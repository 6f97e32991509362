"""One configuration object edited as YAML in a form: its page (`<path>/<id or name>`), the page that makes a
new one (`<path>/new`) and its deletion (`<path>/<id>/delete`, confirmed).

The text is one item of its section of the config document (`approval_policies:`, `freezes:`), read by the
config reader as `seaway apply` reads it and saved through the engine calls the API uses, audited as the
API's events are (`policy.updated`, with the channel `ui`). Refused text is shown again as it was posted,
with the reason naming the field and the API's status; nothing is saved. Seeing the pages needs
`policy.view`; only those with `policy.edit` get a form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.config.documents import load_text
from seaway.config.export import to_yaml
from seaway.config.reader import Node
from seaway.domain.actors import Actor
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission
from seaway.errors import InvalidInput, NotFound, PermissionDenied
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import may, require
from seaway.web.sessions import SignedIn
from seaway.web.ui.configuration import Reshow, act, record_edit, show
from seaway.web.ui.pages import PostedForm, error_page, from_this_site, render, ui_of

LIST = "/configuration/policies"  # where policies and freezes are listed, and every save goes back to
NEW = "new"
CONFIRM = "confirm"  # the checkbox a deletion needs
TEXT = "document"  # the text, as the YAML reader names it
INVALID = 422  # the status of refused input


class Stored(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


Item = TypeVar("Item", bound=Stored)


@dataclass(frozen=True)
class ConfigItem(Generic[Item]):
    """An item of one section of the config document, read as `seaway apply` reads it and written as
    `seaway export` writes it."""

    section: str  # the config document's key the text is one item of
    parse: Callable[[Node], Item]
    document: Callable[[Item], dict[str, Any]]


@dataclass(frozen=True)
class Saves(Generic[Item]):
    """The engine calls that find and save an item as its API endpoints do, and the item as they show it."""

    represent: Callable[[Item], dict[str, Any]]  # as the API shows it and its audit events compare it
    find: Callable[[UnitOfWork, str], Awaitable[Item]]
    create: Callable[[UnitOfWork, Item, datetime], Awaitable[Item]]
    update: Callable[[UnitOfWork, int, Item, datetime], Awaitable[Item]]
    delete: Callable[[UnitOfWork, int, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Editable(Generic[Item]):
    kind: str  # the id kind (`policy`: `ApprovalPolicies-3`) and the audit events' (`policy.created`)
    noun: str  # `approval policy`
    path: str  # the pages of one object are below it
    example: str  # what a new one starts from
    config: ConfigItem[Item]
    saves: Saves[Item]


def url_of(editable: Editable[Any], item: Stored) -> str:
    return f"{editable.path}/{format_id(editable.kind, item.id)}"


def read_text(text: str, parse: Callable[[Node], Item]) -> Item:
    """The posted text as the config reader reads one item; refused naming the field of the item."""
    return parse(Node(load_text(text), ""))


class _Pages(Generic[Item]):
    """What the pages and forms of one `Editable` do."""

    def __init__(self, editable: Editable[Item]) -> None:
        self.editable = editable

    async def page(
        self,
        request: Request,
        signed_in: SignedIn,
        status: int,
        error: str | None,
        *,
        ref: str | None,
        text: str | None = None,
        field: str | None = None,
    ) -> Response:
        editable, user = self.editable, signed_in.user
        if error is not None and field and field not in (CONFIRM, TEXT) and not error.startswith(f"{field}:"):
            error = f"{field}: {error}"  # the reason names the field of the item, wherever it was raised
        try:
            require(user, Permission.POLICY_VIEW)
            item = None
            if ref is not None:
                async with ui_of(request).services.store.reading() as uow:
                    item = await editable.saves.find(uow, ref)
        except (PermissionDenied, NotFound) as exc:
            return error_page(exc)
        if text is None:
            text = to_yaml(editable.config.document(item)) if item is not None else editable.example
        return render(
            "config_yaml_item.html",
            status=status,
            signed_in=signed_in,
            editable=editable,
            item=item,
            title=item.name if item is not None else f"New {editable.noun}",
            item_id=format_id(editable.kind, item.id) if item is not None else None,
            action=url_of(editable, item) if item is not None else f"{editable.path}/{NEW}",
            text=text,
            can_edit=may(user, Permission.POLICY_EDIT),
            # A refused text is named at the text (the reason names the field of the item), a deletion not
            # confirmed at its box, anything else (a name taken, a permission) above all.
            error=error if status != INVALID else None,
            field_error=error if status == INVALID and field != CONFIRM else None,
            confirm_error=error if field == CONFIRM else None,
        )

    def reshown(self, ref: str | None, text: str | None) -> Reshow:
        async def again(
            request: Request, signed_in: SignedIn, status: int, error: str, *, field: str | None = None
        ) -> Response:
            return await self.page(request, signed_in, status, error, ref=ref, text=text, field=field)

        return again

    async def shown(self, request: Request, ref: str | None) -> Response:
        return await show(request, lambda rq, si, status, error: self.page(rq, si, status, error, ref=ref))

    async def saved(self, request: Request, ref: str | None) -> Response:
        editable = self.editable

        async def work(form: PostedForm, actor: Actor) -> None:
            require(actor.user, Permission.POLICY_EDIT)
            posted = read_text(form.field(TEXT), editable.config.parse)
            services = ui_of(request).services
            async with services.store.transaction() as uow:
                now = services.clock.now()
                before = await editable.saves.find(uow, ref) if ref is not None else None
                if before is None:
                    after = await editable.saves.create(uow, posted, now)
                else:
                    assert before.id is not None
                    after = await editable.saves.update(uow, before.id, posted, now)
                assert after.id is not None
                await record_edit(
                    uow, actor, now=now, kind=editable.kind, number=after.id,
                    before=editable.saves.represent(before) if before is not None else None,
                    after=editable.saves.represent(after),
                )  # fmt: skip

        form = await request.form()
        return await act(request, LIST, work, self.reshown(ref, str(form.get(TEXT) or "")))

    async def deleted(self, request: Request, ref: str) -> Response:
        editable = self.editable

        async def work(form: PostedForm, actor: Actor) -> None:
            require(actor.user, Permission.POLICY_EDIT)
            if form.field(CONFIRM) != "yes":
                raise InvalidInput(f"tick the box to confirm deleting this {editable.noun}", field=CONFIRM)
            services = ui_of(request).services
            async with services.store.transaction() as uow:
                now = services.clock.now()
                before = await editable.saves.find(uow, ref)
                assert before.id is not None
                await editable.saves.delete(uow, before.id, now)
                await record_edit(
                    uow, actor, now=now, kind=editable.kind, number=before.id,
                    before=editable.saves.represent(before), after=None,
                )  # fmt: skip

        return await act(request, LIST, work, self.reshown(ref, None))


def install(router: APIRouter, editable: Editable[Any]) -> None:
    """Add the pages and forms of `editable` to `router`."""
    pages = _Pages(editable)

    async def new_page(request: Request) -> Response:
        return await pages.shown(request, None)

    async def item_page(request: Request, ref: str) -> Response:
        return await pages.shown(request, ref)

    @from_this_site
    async def create(request: Request) -> Response:
        return await pages.saved(request, None)

    @from_this_site
    async def update(request: Request, ref: str) -> Response:
        return await pages.saved(request, ref)

    @from_this_site
    async def delete(request: Request, ref: str) -> Response:
        return await pages.deleted(request, ref)

    kind, one = editable.kind, f"{editable.path}/{{ref}}"
    # `new` first: it is not the name of an object.
    router.add_api_route(f"{editable.path}/{NEW}", new_page, methods=["GET"], name=f"new_{kind}_page")
    router.add_api_route(f"{editable.path}/{NEW}", create, methods=["POST"], name=f"create_{kind}_from_form")
    router.add_api_route(one, item_page, methods=["GET"], name=f"{kind}_page")
    router.add_api_route(one, update, methods=["POST"], name=f"update_{kind}_from_form")
    router.add_api_route(f"{one}/delete", delete, methods=["POST"], name=f"delete_{kind}_from_form")
