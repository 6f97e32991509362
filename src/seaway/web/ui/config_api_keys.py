"""`/configuration/api-keys`: one's own API keys; create one (its key is shown on the answer to the form,
this once: only its hash is kept) and revoke one. The same engine calls as `/api/v1/api-keys`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.domain.actors import Actor
from seaway.domain.api_keys import expiry
from seaway.domain.ids import format_id, parse_id
from seaway.engine.api_keys import issue_key, keys_of, revoke_key
from seaway.errors import InvalidInput
from seaway.web.sessions import SignedIn
from seaway.web.ui.configuration import act, show
from seaway.web.ui.pages import PostedForm, from_this_site, render, ui_of

router = APIRouter(include_in_schema=False)

PATH = "/configuration/api-keys"


@dataclass(frozen=True)
class KeyRow:
    id: str
    purpose: str
    prefix: str
    state: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


@router.get(PATH)
async def keys_page(request: Request) -> Response:
    return await show(request, _page)


async def _page(
    request: Request,
    signed_in: SignedIn,
    status: int,
    error: str | None,
    new_key: str | None = None,
    *,
    field: str | None = None,
) -> Response:
    del field  # the reason shows above the forms
    owner = signed_in.user
    assert owner.id is not None
    services = ui_of(request).services
    now = services.clock.now()
    async with services.store.reading() as uow:
        keys = await keys_of(uow, owner.id, owner)
    rows = [
        KeyRow(format_id("api_key", k.id), k.purpose, k.prefix, k.state(now), k.created_at, k.expires_at,
               k.last_used_at)
        for k in sorted(keys, key=lambda k: k.created_at, reverse=True)
    ]  # fmt: skip
    return render("config_api_keys.html", status=status, signed_in=signed_in, keys=rows, error=error, new_key=new_key)


@router.post(PATH)
@from_this_site
async def create(request: Request) -> Response:
    async def work(form: PostedForm, actor: Actor) -> Response:
        services = ui_of(request).services
        now = services.clock.now()
        days = form.field("expires_in_days").strip()
        if days and not days.isdigit():
            raise InvalidInput("expires_in_days must be a whole number of days", field="expires_in_days")
        expires_at = expiry(now, in_days=int(days) if days else None)
        async with services.store.transaction() as uow:
            issued = await issue_key(
                uow, actor.user, purpose=form.field("purpose"), expires_at=expires_at, actor=actor, now=now
            )
        return await _page(request, form.signed_in, 201, None, new_key=issued.key)

    return await act(request, PATH, work, _page)


@router.post(PATH + "/{api_key_id}/revoke")
@from_this_site
async def revoke(request: Request, api_key_id: str) -> Response:
    async def work(form: PostedForm, actor: Actor) -> None:
        services = ui_of(request).services
        number = parse_id("api_key", api_key_id, field="api_key_id")
        async with services.store.transaction() as uow:
            await revoke_key(uow, number, actor=actor, now=services.clock.now())

    return await act(request, PATH, work, _page)
