"""`POST /deployments/{id}/cancel`, `/retry` and `/freeze-override`: the deployment page's buttons, signed in.

Cancel asks for the deployment's task to be canceled, as `POST /api/v1/tasks/{id}/cancel` does
(`task.cancel` where it runs); Retry deploys the same release to the same environment again, with the same
prompted values, as the release page's Deploy does (`deployment.create` there), and only for a failed
deployment. Override lets a queued deployment through the freeze that holds it, with a reason, as
`POST /api/v1/deployments/{id}/freeze-override` does (`freeze.override` there). Each is recorded with the
channel `ui` and the evidence `session`; a refusal is audited as the API's are. The forms carry the session's
CSRF token and must come from this site; afterwards the browser is sent to the (new) deployment's page, so a
reload does not post again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.domain.actors import Actor
from seaway.domain.ids import format_id, parse_id
from seaway.domain.permissions import Permission
from seaway.domain.states import TaskState
from seaway.engine.deployments import create_deployment
from seaway.engine.freeze_overrides import override_freeze
from seaway.errors import Conflict, SeawayError
from seaway.web.access import Scopes, require, require_visible
from seaway.web.api.tasks import cancel
from seaway.web.ui.deployments import render_deployment
from seaway.web.ui.forms import submit
from seaway.web.ui.pages import PostedForm, from_this_site, page_for, ui_of

router = APIRouter(include_in_schema=False)

# An action: what it does for the form's visitor, given the deployment's number; the deployment to show next.
_Action = Callable[[Request, PostedForm, Actor, int], Awaitable[int]]


@router.post("/deployments/{deployment_id}/cancel")
@from_this_site
async def cancel_deployment(request: Request, deployment_id: str) -> Response:
    return await _act(request, deployment_id, _cancel, "Not canceled")


@router.post("/deployments/{deployment_id}/retry")
@from_this_site
async def retry_deployment(request: Request, deployment_id: str) -> Response:
    return await _act(request, deployment_id, _retry, "Not retried")


@router.post("/deployments/{deployment_id}/freeze-override")
@from_this_site
async def override_deployment_freeze(request: Request, deployment_id: str) -> Response:
    return await _act(request, deployment_id, _override_freeze, "Freeze not overridden")


async def _act(request: Request, deployment_id: str, action: _Action, failed: str) -> Response:
    async def work(form: PostedForm, actor: Actor) -> Response:
        shown = format_id("deployment", await action(request, form, actor, parse_id("deployment", deployment_id)))
        return RedirectResponse(ui_of(request).public_url.url(f"/deployments/{shown}"), status_code=303)

    async def refused(form: PostedForm, exc: SeawayError) -> Response:
        status = page_for(exc).status
        return await render_deployment(
            request, form.signed_in, deployment_id, status=status, error=exc.message, failed=failed
        )

    return await submit(request, work, refused)


async def _cancel(request: Request, form: PostedForm, actor: Actor, number: int) -> int:
    async with ui_of(request).services.store.reading() as uow:
        where = await Scopes(uow.conn).of_deployment(number)
        require_visible(form.signed_in.user, Permission.DEPLOYMENT_VIEW, where, "deployment", number)
        task_id = (await uow.deployments.get(number)).task_id
    assert task_id is not None
    await cancel(request, form.signed_in.user, format_id("task", task_id), actor)
    return number


async def _override_freeze(request: Request, form: PostedForm, actor: Actor, number: int) -> int:
    ui = ui_of(request)
    async with ui.services.store.transaction() as uow:
        where = await Scopes(uow.conn).of_deployment(number)
        require_visible(form.signed_in.user, Permission.DEPLOYMENT_VIEW, where, "deployment", number)
        now = ui.services.clock.now()
        await override_freeze(
            uow, number, actor, reason=form.field("reason"), now=now, public_url=ui.services.links.public_url
        )
    return number


async def _retry(request: Request, form: PostedForm, actor: Actor, number: int) -> int:
    services = ui_of(request).services
    user = form.signed_in.user
    async with services.store.transaction() as uow:
        where = await Scopes(uow.conn).of_deployment(number)
        require_visible(user, Permission.DEPLOYMENT_VIEW, where, "deployment", number)
        require(user, Permission.DEPLOYMENT_CREATE, where)
        deployment = await uow.deployments.get(number)
        assert deployment.task_id is not None
        task = await uow.tasks.get(deployment.task_id)
        if task.state is not TaskState.FAILED:
            raise Conflict(f"only a failed deployment is retried; this one is {task.state}", entity="deployment")
        created = await create_deployment(
            uow,
            await uow.releases.get(deployment.release_id),
            deployment.environment,
            now=services.clock.now(),
            user=user,
            variables=deployment.prompted_variables,
            comments=f"Retry of {format_id('deployment', number)}",
            actor=actor,
        )
    assert created.deployment.id is not None
    return created.deployment.id
