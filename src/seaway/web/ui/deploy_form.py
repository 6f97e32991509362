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

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.engine.deployments import create_deployment
from seaway.errors import SeawayError
from seaway.web.access import Scopes, deployment_target, require, require_visible
from seaway.web.ui.forms import submit
from seaway.web.ui.pages import PostedForm, from_this_site, page_for, ui_of
from seaway.web.ui.releases import render_deploy_page

router = APIRouter(include_in_schema=False)


@router.post("/releases/{release_id}/deploy")
@from_this_site
async def deploy(request: Request, release_id: str) -> Response:
    async def work(form: PostedForm, actor: Actor) -> Response:
        user, asked = actor.user, form.field("environment")
        posted = _posted(form)
        variables = {k.removeprefix("variable:"): value for k, value in posted.items() if k.startswith("variable:")}
        services = ui_of(request).services
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
        public_id = format_id("deployment", created.deployment.id)
        return RedirectResponse(ui_of(request).public_url.url(f"/deployments/{public_id}"), status_code=303)

    async def refused(form: PostedForm, error: SeawayError) -> Response:
        # An unknown or hidden release renders as the page of an unknown one; anything else is explained there.
        status = page_for(error).status
        return await render_deploy_page(
            request, form.signed_in, release_id, form.field("environment"), status=status, error=error,
            posted=_posted(form),
        )  # fmt: skip

    return await submit(request, work, refused)


def _posted(form: PostedForm) -> dict[str, str]:
    return {key: form.field(key) for key in form.fields}
