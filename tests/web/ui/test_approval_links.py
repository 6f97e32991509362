"""The pages behind emailed Approve and Reject links, in process, on both databases.

Tokens come from the approval emails kept in the outbox (no SMTP server is configured here); the end-to-end
test does the same through a real SMTP server and a real HTTP server.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from tests.fixtures.approvals import (
    SIGN_OFF,
    decide,
    deploy_as,
    interruption_of,
    run_all,
    services_with,
    set_up,
    space,
    user_named,
)
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, log_of, task_of
from tests.fixtures.live_server import (
    SIGN_IN_REQUIRED,
    decision_state,
    emailed_links,
    hidden_fields,
    origin_of,
    page_client,
    session_csrf,
    sign_in,
    token_in,
)

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel, InterruptionState
from seaway.domain.states import StepState, TaskState
from seaway.engine.deployments import request_cancel
from seaway.engine.link_reissue import reissue_links
from seaway.store.tables import approval_links, releases


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def post_form(client, path: str, note: str = "", **extra: str):
    """Post the link page's form as a browser would, from the page itself."""
    page = await client.get(path)
    fields = hidden_fields(page.text) | {"note": note, **extra}
    return await client.post(path, data=fields, headers=origin_of(client))


async def test_a_link_opens_a_confirmation_page_of_what_is_being_decided(services, client):
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")

    approve = await client.get(links["Approve"])
    reject = await client.get(links["Reject"])

    assert approve.status_code == reject.status_code == 200
    for text in (approve.text, reject.text):
        assert "<dd>Quotes</dd>" in text
        assert "<dd>0.0.1</dd>" in text
        assert "<dd>Test</dd>" in text
        assert "<dd>Sign Off</dd>" in text
        assert "<dd>Dave Deployer</dd>" in text  # the deployer
        assert "Check <strong>Test</strong> for release 0.0.1" in text  # the instructions, as Markdown
        assert "First deployment to Test: nothing to compare with" in text  # what changes
        assert len(re.findall(r"<form\b", text)) == 1
        assert text.count('<form method="post"') == 1
        assert len(re.findall(r"<button\b", text)) == 1
        assert re.search(r'<textarea id="note" name="note"', text)
    assert "This link is for: <strong>Approve</strong>" in approve.text
    assert "This link is for: <strong>Reject</strong>" in reject.text
    assert not re.search(r"<textarea[^>]*required", approve.text)
    assert re.search(r"<textarea[^>]*name=\"note\"[^>]*required", reject.text)


async def test_the_page_compares_with_the_release_last_deployed_to_the_environment(services, client):
    first = await set_up(services)
    await decide(services, await interruption_of(services, first), "alice")
    await run_all(services)
    await apply_yaml(services, space(SIGN_OFF.replace("echo building", "echo now building")))
    await deploy_as(services)
    await run_all(services)

    page = await client.get((await emailed_links(services, "alice@example.org"))["Approve"])

    assert "<dd>0.0.2</dd>" in page.text
    assert "Release 0.0.1 → 0.0.2" in page.text
    assert "Step changed: &#34;Build&#34;" in page.text


async def test_opening_a_link_changes_nothing_but_the_opened_telemetry(services, client):
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    before = await decision_state(services)

    # A mail scanner fetches every link, twice, with GET and HEAD.
    for path in (links["Approve"], links["Reject"], links["Approve"], links["Reject"]):
        assert (await client.get(path)).status_code == 200
        assert (await client.head(path)).status_code == 200

    assert await decision_state(services) == before
    async with services.store.transaction() as uow:
        opened = [row.opened_at for row in await uow.conn.execute(sa.select(approval_links))]
    assert sum(at is not None for at in opened) == 2  # Alice's two links, recorded as opened


async def test_approving_by_link_continues_the_deployment(services, client):
    deployment = await set_up(services)
    links = await emailed_links(services, "alice@example.org")

    response = await post_form(client, links["Approve"], note="looks good")
    await run_all(services)

    assert response.status_code == 200
    assert "<h1>Approved</h1>" in response.text
    assert "looks good" in response.text
    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS
    assert [run.state for run in runs] == [StepState.SUCCEEDED] * 3 + [StepState.SKIPPED, StepState.SUCCEEDED]
    log = await log_of(services, deployment)
    assert "approved=True by=Alice Approver email=alice@example.org notes=looks good" in log
    interruption = await interruption_of(services, deployment)
    async with services.store.transaction() as uow:
        [event] = await uow.audit.list(action="interruption.submitted")
        notice = await uow.emails.find_by_key(f"decision:{interruption.id}")
    assert (event.actor, event.channel, event.ip, event.user_agent) == (
        "alice",
        "email-link",
        "127.0.0.1",
        "python-httpx/" + httpx_version(),
    )
    assert notice is not None and "Approved by Alice Approver: looks good" in notice.text
    assert event.details["auth_method"] == "link"  # holding the emailed link was all the evidence


async def test_rejecting_by_link_stops_the_deployment_with_the_reason(services, client):
    deployment = await set_up(services)
    links = await emailed_links(services, "bob@example.org")

    response = await post_form(client, links["Reject"], note="the banner is wrong")
    await run_all(services)

    assert response.status_code == 200
    assert "<h1>Rejected</h1>" in response.text
    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.FAILED
    assert task.error == "Rejected by Bob Builder: the banner is wrong"
    assert [run.state for run in runs] == [
        StepState.SUCCEEDED,
        StepState.FAILED,
        StepState.SKIPPED,
        StepState.SUCCEEDED,
        StepState.SUCCEEDED,
    ]
    assert "failure: Rejected by Bob Builder: the banner is wrong" in await log_of(services, deployment)


async def test_an_approve_link_cannot_reject_whatever_the_form_says(services, client):
    deployment = await set_up(services)
    links = await emailed_links(services, "alice@example.org")

    response = await post_form(client, links["Approve"], note="", result="abort", decision="reject")

    assert "<h1>Approved</h1>" in response.text
    assert (await interruption_of(services, deployment)).outcome.value == "Approved"


async def test_rejecting_without_a_reason_is_refused_and_consumes_nothing(services, client):
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    before = await decision_state(services)

    response = await post_form(client, links["Reject"], note="   ")

    assert response.status_code == 422
    assert "A reason is required to reject." in response.text
    assert '<form method="post"' in response.text  # the form again, to fill in
    assert await decision_state(services) == before
    assert (await post_form(client, links["Reject"], note="now with a reason")).status_code == 200


async def test_a_used_link_says_who_decided_and_when(services, client):
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    await post_form(client, links["Approve"], note="ok")
    page = await client.get(links["Approve"])
    fields = hidden_fields(page.text) if "<form" in page.text else {}

    again = await client.post(links["Approve"], data={"token": token_in(links["Approve"]), "note": "again", **fields})

    assert page.status_code == 200
    assert again.status_code == 409
    for response in (page, again):
        assert "This link was already used" in response.text
        assert re.search(r"was already approved by Alice Approver at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", response.text)
        assert "<form" not in response.text


async def test_a_link_after_someone_else_decided_says_who(services, client):
    await set_up(services)
    alice = await emailed_links(services, "alice@example.org")
    bob = await emailed_links(services, "bob@example.org")
    bob_page = await client.get(bob["Reject"])  # Bob opens his page before Alice decides

    await post_form(client, alice["Approve"], note="ok")
    late = await client.post(
        bob["Reject"], data=hidden_fields(bob_page.text) | {"note": "no"}, headers=origin_of(client)
    )
    page = await client.get(bob["Reject"])

    assert late.status_code == 409
    assert page.status_code == 200
    for response in (late, page):
        assert "<h1>Already decided</h1>" in response.text
        assert "was already approved by Alice Approver at" in response.text


async def test_a_link_after_the_deployment_was_canceled_says_so(services, client):
    deployment = await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    page = await client.get(links["Approve"])
    async with services.store.transaction() as uow:
        assert deployment.task_id is not None
        await request_cancel(uow, deployment.task_id, now=services.clock.now())

    requested = await client.post(links["Approve"], data=hidden_fields(page.text), headers=origin_of(client))
    await run_all(services)
    ended = await client.get(links["Approve"])

    assert requested.status_code == ended.status_code == 410
    for response in (requested, ended):
        assert "The deployment was canceled" in response.text
        assert f'<a href="/deployments/Deployments-{deployment.id}">See the deployment</a>' in response.text
    assert (await task_of(services, deployment))[0].state is TaskState.CANCELED
    assert (await interruption_of(services, deployment)).state is InterruptionState.CANCELED


async def test_an_expired_link_says_so_and_decides_nothing(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, approval_link_hours=72) as services:
        deployment = await set_up(services)
        links = await emailed_links(services, "alice@example.org")
        async with page_client(services) as client:
            page = await client.get(links["Approve"])
            clock.advance(hours=72)
            before = await decision_state(services)

            opened = await client.get(links["Approve"])
            posted = await client.post(links["Approve"], data=hidden_fields(page.text), headers=origin_of(client))

        assert opened.status_code == posted.status_code == 410
        assert "This link has expired" in opened.text and "This link has expired" in posted.text
        assert "ask Dave Deployer (who started the deployment) to send new links" in opened.text
        assert await decision_state(services) == before
        assert (await interruption_of(services, deployment)).is_pending


async def test_after_links_are_sent_again_the_old_one_is_withdrawn_and_the_new_one_decides(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, approval_link_hours=72) as services:
        deployment = await set_up(services)
        old = await emailed_links(services, "alice@example.org")
        clock.advance(hours=73)
        dave, interruption = await user_named(services, "dave"), await interruption_of(services, deployment)
        async with services.store.transaction() as uow:
            assert interruption.id is not None
            dave_by_api = Actor(dave, Channel.API, AuthMethod.API_KEY)
            await reissue_links(
                uow, interruption.id, dave_by_api, links=services.links, now=clock.now(), usernames=["alice"]
            )
        new = await emailed_links(services, "alice@example.org")
        assert new != old
        async with page_client(services) as client:
            withdrawn = await client.get(old["Approve"])
            page = await client.get(new["Approve"])
            decided = await client.post(new["Approve"], data=hidden_fields(page.text), headers=origin_of(client))

        assert withdrawn.status_code == 410 and "This link was withdrawn" in withdrawn.text
        assert "Newer links may have been sent to you" in withdrawn.text
        assert decided.status_code == 200 and "<h1>Approved</h1>" in decided.text
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_an_unknown_link_says_so(services, client):
    await set_up(services)

    response = await client.get("/links/this-is-not-a-token-Seaway-ever-made-0123456789")
    posted = await client.post(
        "/links/this-is-not-a-token", data={"token": "this-is-not-a-token"}, headers=origin_of(client)
    )

    assert response.status_code == posted.status_code == 404
    assert "This link is not valid" in response.text
    assert 'href="http://seaway.test/signin"' in response.text


async def test_a_link_whose_release_changed_since_it_was_sent_is_void(services, client):
    deployment = await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    interruption = await interruption_of(services, deployment)
    async with services.store.transaction() as uow:
        await uow.conn.execute(releases.update().where(releases.c.id == interruption.release_id).values(process=[]))

    response = await client.get(links["Approve"])

    assert response.status_code == 410
    assert "The release changed" in response.text


async def test_permission_is_checked_again_when_deciding_not_when_the_email_was_sent(services, client):
    await set_up(services)
    links = await emailed_links(services, "alice@example.org")
    page = await client.get(links["Approve"])
    await apply_yaml(services, space().replace("members: [alice, bob, erin, nomail]", "members: [bob, erin, nomail]"))
    before = await decision_state(services)

    response = await client.post(links["Approve"], data=hidden_fields(page.text), headers=origin_of(client))

    assert response.status_code == 403
    assert "Alice Approver is no longer responsible for this approval" in response.text
    assert await decision_state(services) == before


# -- links_require_sign_in --------------------------------------------------------------------------


async def test_with_sign_in_required_the_page_explains_and_links_to_sign_in_and_back(services, client):
    await set_up(services, SIGN_IN_REQUIRED)
    links = await emailed_links(services, "alice@example.org")
    before = await decision_state(services)

    page = await client.get(links["Approve"])
    posted = await client.post(links["Approve"], data={"token": token_in(links["Approve"])}, headers=origin_of(client))

    assert page.status_code == 200
    assert "Sign in to decide" in page.text
    assert "Anyone who can read an email could use its links" in page.text
    assert f'href="http://seaway.test/signin?next={links["Approve"]}"' in page.text
    assert "<form" not in page.text
    assert posted.status_code == 401
    assert await decision_state(services) == before


async def test_with_sign_in_required_the_same_user_signed_in_decides(services, client):
    deployment = await set_up(services, SIGN_IN_REQUIRED)
    await set_password(services, "alice")
    links = await emailed_links(services, "alice@example.org")

    signed_in = await sign_in(client, "alice", next_path=links["Approve"])
    assert signed_in.headers["location"] == f"http://seaway.test{links['Approve']}"
    page = await client.get(links["Approve"])
    fields = hidden_fields(page.text)
    without_csrf = await client.post(
        links["Approve"], data={"token": fields["token"], "note": "ok"}, headers=origin_of(client)
    )
    decided = await client.post(links["Approve"], data=fields | {"note": "signed in"}, headers=origin_of(client))
    await run_all(services)

    assert "Signed in as Alice Approver (alice)" in page.text
    assert set(fields) == {"token", "csrf_token"}
    assert without_csrf.status_code == 403
    assert decided.status_code == 200 and "<h1>Approved</h1>" in decided.text
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    async with services.store.transaction() as uow:
        [event] = await uow.audit.list(action="interruption.submitted")
    assert event.details["auth_method"] == "link+session"


async def test_a_link_used_while_someone_else_is_signed_in_is_recorded_as_the_link_alone(services, client):
    deployment = await set_up(services)
    await set_password(services, "bob")
    links = await emailed_links(services, "erin@example.org")
    await sign_in(client, "bob")

    response = await post_form(client, links["Approve"])

    assert response.status_code == 200
    assert (await interruption_of(services, deployment)).decided_by == (await user_named(services, "erin")).id
    async with services.store.transaction() as uow:
        [event] = await uow.audit.list(action="interruption.submitted")
    assert (event.actor, event.details["auth_method"]) == ("erin", "link")


async def test_with_sign_in_required_another_signed_in_user_is_refused(services, client):
    deployment = await set_up(services, SIGN_IN_REQUIRED)
    await set_password(services, "bob")
    links = await emailed_links(services, "alice@example.org")
    await sign_in(client, "bob")

    page = await client.get(links["Approve"])
    posted = await client.post(
        links["Approve"],
        data={"token": token_in(links["Approve"]), "csrf_token": await session_csrf(client)},
        headers=origin_of(client),
    )

    assert "Signed in as someone else" in page.text
    assert "<form" not in page.text
    assert posted.status_code == 403
    assert "This link is not yours" in posted.text
    assert (await interruption_of(services, deployment)).is_pending


async def test_without_sign_in_required_a_link_decides_without_a_session(services, client):
    deployment = await set_up(services)
    links = await emailed_links(services, "erin@example.org")

    response = await post_form(client, links["Approve"])

    assert response.status_code == 200
    interruption = await interruption_of(services, deployment)
    assert interruption.decided_by == (await user_named(services, "erin")).id


async def set_password(services, username: str) -> None:
    from tests.fixtures.live_server import PASSWORD

    from seaway.security.passwords import hash_password

    user = await user_named(services, username)
    async with services.store.transaction() as uow:
        await uow.users.set_password_hash(user.id, hash_password(PASSWORD))


def httpx_version() -> str:
    import httpx

    return httpx.__version__
