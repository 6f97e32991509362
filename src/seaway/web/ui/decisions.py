"""`POST /deployments/{id}/decide`: approve or reject from the deployment page, signed in.

The same decision as an emailed link or the API (`engine.decisions.submit_decision`), with the API's checks
(`interruption.submit` where the deployment runs, besides being responsible), recorded with the channel `ui`
and the evidence `session`; a refusal is audited as `permission.refused`. The form carries the session's
CSRF token and must come from this site; after a decision the browser is sent back to the page (so a reload
does not post again).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import AuthMethod
from seaway.domain.ids import format_id, parse_id
from seaway.domain.interruptions import Channel
from seaway.domain.permissions import Permission
from seaway.engine.decisions import submit_decision
from seaway.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from seaway.web.access import Scopes, record_refusal, require, require_visible
from seaway.web.clients import actor_of
from seaway.web.sessions import SignedIn
from seaway.web.ui.deployments import render_deployment
from seaway.web.ui.pages import OUT_OF_DATE, from_this_site, page_for, posted_form, ui_of

router = APIRouter(include_in_schema=False)


@router.post("/deployments/{deployment_id}/decide")
@from_this_site
async def decide(request: Request, deployment_id: str) -> Response:
    ui = ui_of(request)
    form = await posted_form(request)
    if isinstance(form, Response):
        return form
    signed_in, note, ref = form.signed_in, form.field("note"), form.field("interruption")
    if not form.csrf_ok:
        return await render_deployment(request, signed_in, deployment_id, status=403, error=OUT_OF_DATE, note=note)
    services = ui.services
    actor = actor_of(request, signed_in.user, Channel.UI, AuthMethod.SESSION)
    try:
        interruption_id = parse_id("interruption", ref, field="interruption")
        async with services.store.transaction() as uow:
            interruption = await uow.interruptions.get(interruption_id)
            where = await Scopes(uow.conn).of_deployment(interruption.deployment_id)
            require_visible(signed_in.user, Permission.INTERRUPTION_VIEW, where, "interruption", interruption_id)
            if format_id("deployment", interruption.deployment_id) != _canonical(deployment_id):
                raise InvalidInput("that decision is not part of this deployment", field="interruption")
            require(signed_in.user, Permission.INTERRUPTION_SUBMIT, where)
            await submit_decision(
                uow,
                interruption_id,
                actor,
                result=form.field("result"),
                notes=note,
                now=services.clock.now(),
            )
    except PermissionDenied as exc:  # no permission here, or not responsible for this decision
        await record_refusal(request, exc, actor)
        return await _refused(request, signed_in, deployment_id, page_for(exc).status, exc.message, note, ref)
    except (InvalidInput, NotFound, Conflict) as exc:
        # A conflict (decided by someone else, canceled, the release changed) leaves no decision to retry.
        kept_note = "" if isinstance(exc, Conflict) else note
        return await _refused(request, signed_in, deployment_id, page_for(exc).status, exc.message, kept_note, ref)
    return RedirectResponse(ui.public_url.url(f"/deployments/{_canonical(deployment_id)}"), status_code=303)


async def _refused(
    request: Request, signed_in: SignedIn, deployment_id: str, status: int, message: str, note: str, ref: str
) -> Response:
    return await render_deployment(
        request, signed_in, deployment_id, status=status, error=message, note=note, interruption=ref
    )


def _canonical(deployment_id: str) -> str:
    try:
        return format_id("deployment", parse_id("deployment", deployment_id))
    except InvalidInput:
        return deployment_id
