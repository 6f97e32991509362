"""The deployment page's Cancel and Retry: for those who may, with the session's CSRF token, through the engine
calls the API uses; and the live parts the page's script reads with the page's session."""

from __future__ import annotations

import pytest
from tests.fixtures.approvals import run_all, set_up
from tests.fixtures.engine import task_of
from tests.fixtures.live_server import (
    add_person,
    form_fields,
    give_password,
    origin_of,
    page_client,
    session_csrf,
    sign_in,
)

from seaway.domain.states import TaskState

FAILING = '      - {name: Build, type: script, script: "echo building; exit 3"}\n'


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def post_action(client, deployment, action: str, csrf: str | None = None):
    """Post the page's form for `action` as a browser would (or, for someone shown no form, forge it)."""
    path = f"/deployments/Deployments-{deployment.id}/{action}"
    page = await client.get(f"/deployments/{deployment.id}")
    fields = form_fields(page.text, path) if f'action="{path}"' in page.text else {"csrf_token": csrf or ""}
    if csrf is not None:
        fields["csrf_token"] = csrf
    return await client.post(path, data=fields, headers=origin_of(client))


async def audit_of(services, action: str):
    async with services.store.reading() as uow:
        return await uow.audit.list(action=action)


async def test_a_deployer_cancels_a_waiting_deployment_after_confirming(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    page = await client.get(f"/deployments/{deployment.id}")
    response = await post_action(client, deployment, "cancel")
    await run_all(services)

    assert "<summary>Cancel deployment…</summary>" in page.text
    assert "Yes, cancel this deployment" in page.text
    assert response.status_code == 303
    assert response.headers["location"] == f"http://seaway.test/deployments/Deployments-{deployment.id}"
    assert (await task_of(services, deployment))[0].state is TaskState.CANCELED
    [event] = await audit_of(services, "task.cancel_requested")
    assert (event.actor, event.channel, event.auth) == ("alice", "ui", "session")
    after = await client.get(f"/deployments/{deployment.id}")
    assert "Cancel deployment" not in after.text and "Retry" not in after.text  # canceled is not failed


async def test_a_viewer_sees_no_buttons_and_a_forged_form_is_a_403(services, client):
    failed = await set_up(services, FAILING)
    await add_person(services, "vic", roles=("project-viewer",))
    await sign_in(client, "vic")
    csrf = await session_csrf(client)

    page = await client.get(f"/deployments/{failed.id}")
    retried = await post_action(client, failed, "retry", csrf)
    canceled = await post_action(client, failed, "cancel", csrf)

    assert page.status_code == 200 and '<span class="state failed">failed</span>' in page.text
    assert "/retry" not in page.text and "/cancel" not in page.text
    assert retried.status_code == canceled.status_code == 403
    assert "Not retried: " in retried.text
    async with services.store.reading() as uow:
        assert len(await uow.deployments.list_for_release(failed.release_id)) == 1
    assert [e.details.get("permission") for e in await audit_of(services, "permission.refused")] == [
        "deployment.create",
        "task.cancel",
    ]


async def test_a_form_without_the_session_token_is_refused(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    response = await post_action(client, deployment, "cancel", csrf="not-the-token")

    assert response.status_code == 403
    assert "Not canceled: This form is out of date" in response.text
    assert (await task_of(services, deployment))[0].state is TaskState.WAITING


async def test_retry_deploys_the_same_release_again_and_only_a_failed_one(services, client):
    failed = await set_up(services, FAILING)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    page = await client.get(f"/deployments/{failed.id}")
    response = await post_action(client, failed, "retry")
    again = await client.post(
        f"/deployments/{failed.id + 1}/retry",
        data={"csrf_token": await session_csrf(client)},
        headers=origin_of(client),
    )

    assert "Retry: deploy 0.0.1 to Test again" in page.text
    assert response.status_code == 303
    assert response.headers["location"] == f"http://seaway.test/deployments/Deployments-{failed.id + 1}"
    retry = await client.get(response.headers["location"])
    assert "<dt>Comments</dt><dd>Retry of Deployments-" in retry.text and "Deployed by</dt><dd>Alice" in retry.text
    assert again.status_code == 409 and "only a failed deployment is retried" in again.text


async def test_the_page_script_follows_the_log_with_the_session(services, client):
    deployment = await set_up(services, FAILING)
    await give_password(services, "alice")
    await sign_in(client, "alice")
    task = f"ServerTasks-{deployment.task_id}"

    stream = await client.get(f"/api/v1/tasks/{task}/log/stream")
    script = await client.get("/static/deployment.js")
    signed_out = await page_client(services).get(f"/api/v1/tasks/{task}/log/stream")

    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    assert "building" in stream.text and "event: end" in stream.text
    assert script.status_code == 200 and "EventSource" in script.text
    assert signed_out.status_code == 401


async def test_signed_in_pages_may_run_seaways_scripts_and_link_pages_none(services, client):
    await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    page = await client.get("/deployments/1")
    signin = await client.get("/signin")

    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert "script-src" not in signin.headers["content-security-policy"]
