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

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.engine.decisions import submit_decision
from seaway.errors import Conflict, InvalidInput, SeawayError
from seaway.web.access import Scopes, require, require_visible
from seaway.web.ui.deployments import render_deployment
from seaway.web.ui.forms import submit
from seaway.web.ui.pages import PostedForm, from_this_site, page_for, ui_of

router = APIRouter(include_in_schema=False)


@router.post("/deployments/{deployment_id}/decide")
@from_this_site
async def decide(request: Request, deployment_id: str) -> Response:
    async def work(form: PostedForm, actor: Actor) -> Response:
        user, services = actor.user, ui_of(request).services
        interruption_id = parse_id("interruption", form.field("interruption"), field="interruption")
        async with services.store.transaction() as uow:
            interruption = await uow.interruptions.get(interruption_id)
            where = await Scopes(uow.conn).of_deployment(interruption.deployment_id)
            require_visible(user, Permission.INTERRUPTION_VIEW, where, "interruption", interruption_id)
            if format_id("deployment", interruption.deployment_id) != _canonical(deployment_id):
                raise InvalidInput("that decision is not part of this deployment", field="interruption")
            require(user, Permission.INTERRUPTION_SUBMIT, where)
            await submit_decision(
                uow,
                interruption_id,
                actor,
                result=form.field("result"),
                notes=form.field("note"),
                now=services.clock.now(),
            )
        return RedirectResponse(
            ui_of(request).public_url.url(f"/deployments/{_canonical(deployment_id)}"), status_code=303
        )

    async def refused(form: PostedForm, exc: SeawayError) -> Response:
        # No permission here, or not responsible for this decision, is explained with the note kept; a conflict
        # (decided by someone else, canceled, the release changed) leaves no decision to retry.
        note = "" if isinstance(exc, Conflict) else form.field("note")
        return await render_deployment(
            request, form.signed_in, deployment_id, status=page_for(exc).status, error=exc.message, note=note,
            interruption=form.field("interruption"),
        )  # fmt: skip

    async def out_of_date(form: PostedForm, exc: SeawayError) -> Response:
        return await render_deployment(
            request, form.signed_in, deployment_id, status=403, error=exc.message, note=form.field("note")
        )

    return await submit(request, work, refused, out_of_date=out_of_date)


def _canonical(deployment_id: str) -> str:
    try:
        return format_id("deployment", parse_id("deployment", deployment_id))
    except InvalidInput:
        return deployment_id
