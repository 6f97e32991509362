"""`POST /releases/{id}/deploy`: the deploy page's form (the environment, prompted variables, a comment).

The same deployment as the API's (`engine.deployments.create_deployment`), with the same checks: the
release must be visible to the visitor and they need `deployment.create` for its project and the chosen
environment. Recorded with the channel `ui` and the evidence `session`; a refusal is audited as the API's
are. The form carries the session's CSRF token and must come from this site; once created, the browser
is sent to the new deployment's page; a refusal shows the deploy page again with the reason, next to the
prompted variable it names.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import AuthMethod
from seaway.domain.ids import format_id, parse_id
from seaway.domain.interruptions import Channel
from seaway.domain.permissions import Permission
from seaway.engine.deployments import create_deployment
from seaway.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SeawayError
from seaway.web.access import Scopes, deployment_target, record_refusal, require, require_visible
from seaway.web.clients import actor_of
from seaway.web.sessions import SignedIn
from seaway.web.ui.pages import OUT_OF_DATE, from_this_site, page_for, posted_form, ui_of
from seaway.web.ui.releases import render_deploy_page

router = APIRouter(include_in_schema=False)


@router.post("/releases/{release_id}/deploy")
@from_this_site
async def deploy(request: Request, release_id: str) -> Response:
    ui = ui_of(request)
    form = await posted_form(request)
    if isinstance(form, Response):
        return form
    signed_in = form.signed_in
    asked = form.field("environment")
    posted = {key: form.field(key) for key in form.fields}
    if not form.csrf_ok:
        return await render_deploy_page(
            request, signed_in, release_id, asked, status=403, error=PermissionDenied(OUT_OF_DATE), posted=posted
        )
    variables = {key.removeprefix("variable:"): value for key, value in posted.items() if key.startswith("variable:")}
    services = ui.services
    user = signed_in.user
    actor = actor_of(request, user, Channel.UI, AuthMethod.SESSION)
    try:
        number = parse_id("release", release_id)
        async with services.store.transaction() as uow:
            release = await uow.releases.get(number)
            where = await Scopes(uow.conn).of_release(number)
            require_visible(user, Permission.RELEASE_VIEW, where, "release", number)
            require(user, Permission.DEPLOYMENT_CREATE, await deployment_target(uow, where.project, asked))
            created = await create_deployment(
                uow, release, asked, now=services.clock.now(), user=user, actor=actor,
                variables=variables, comments=form.field("comments").strip(),
            )  # fmt: skip
    except PermissionDenied as exc:
        await record_refusal(request, exc, actor)
        return await _refused(request, signed_in, release_id, asked, exc, posted)
    except (InvalidInput, NotFound, Conflict) as exc:
        # An unknown or hidden release renders as the page of an unknown one; anything else is explained there.
        return await _refused(request, signed_in, release_id, asked, exc, posted)
    public_id = format_id("deployment", created.deployment.id)
    return RedirectResponse(ui.public_url.url(f"/deployments/{public_id}"), status_code=303)


async def _refused(
    request: Request, signed_in: SignedIn, release_id: str, asked: str, error: SeawayError, posted: dict[str, str]
) -> Response:
    status = page_for(error).status
    return await render_deploy_page(request, signed_in, release_id, asked, status=status, error=error, posted=posted)
