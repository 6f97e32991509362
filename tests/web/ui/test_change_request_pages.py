"""Change requests in the pages, on both databases: listed in Approvals beside interruptions, their own
decision page (policy, decisions so far, who else can approve, what changed), the card on the deployment and
release pages, and deciding from the UI with the refusals the API gives."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.approvals import HELLO_PROJECT, PEOPLE, TWO_FOR_TEST, run_all, user_named
from tests.fixtures.engine import apply_yaml, deploy, release_of, task_of
from tests.fixtures.live_server import (
    add_person,
    give_password,
    origin_of,
    page_client,
    session_csrf,
    sign_in,
)

from seaway.domain.change_requests import ChangeRequestState
from seaway.domain.states import TaskState
from seaway.engine.change_requests import rebind_pending

SPACE = PEOPLE + HELLO_PROJECT + TWO_FOR_TEST


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def gated(services, deployer: str = "dave"):
    await apply_yaml(services, SPACE)
    for username in ("alice", "bob", "carol", "dave"):
        await give_password(services, username)
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, deployer))
    await run_all(services)
    async with services.store.reading() as uow:
        request = await uow.change_requests.find_for_deployment(deployment.id)
    assert request is not None
    return deployment, f"SEA-{request.id}"


async def post_decision(client, number: str, result: str, note: str = "", back: str = "", **headers):
    form = {"csrf_token": await session_csrf(client), "result": result, "note": note, "back": back}
    return await client.post(f"/change-requests/{number}/decide", data=form, headers=headers or origin_of(client))


def row_links(html: str) -> list[str]:
    return re.findall(r'<li class="row">\s*<a href="([^"]+)"', html)


async def test_the_approvals_list_holds_change_requests_for_those_who_may_see_them(services, client):
    _, number = await gated(services)
    await add_person(services, "outsider")

    await sign_in(client, "alice")
    pending = await client.get("/approvals")
    completed = await client.get("/approvals", params={"tab": "completed"})
    async with page_client(services) as dave:
        await sign_in(dave, "dave")
        dave_mine = await dave.get("/approvals", params={"mine": "1"})  # his deployment waits on it
    async with page_client(services) as outsider:
        await sign_in(outsider, "outsider")
        outsiders = await outsider.get("/approvals", params={"tab": "all"})

    assert row_links(pending.text) == [f"/change-requests/{number}"]
    assert f"{number}: Quotes 0.0.1 to Test" in pending.text
    assert "Change request" in pending.text and "by dave" in pending.text and "0 of 2 approvals" in pending.text
    assert "yours to decide" in pending.text
    assert row_links(completed.text) == []
    assert row_links(dave_mine.text) == [f"/change-requests/{number}"] and "yours to decide" not in dave_mine.text
    assert row_links(outsiders.text) == []


async def test_the_decision_page_shows_the_policy_who_decided_and_who_else_can(services, client):
    deployment, number = await gated(services)
    await sign_in(client, "alice")
    before = await client.get(f"/change-requests/{number}")
    approved = await post_decision(client, number, "proceed", "fine by me")
    after = await client.get(f"/change-requests/{number}")

    assert before.status_code == 200
    assert "Two for Test" in before.text and "Project Stakeholders" in before.text
    assert f"Blocked by change request {number}, needs 2 approvals (0 so far)" in before.text
    assert f"Approve {number}" in before.text and "Nobody has decided yet." in before.text
    assert "alice, bob, erin, nomail" in before.text  # who else can approve: everyone eligible
    assert approved.status_code == 303 and approved.headers["location"].endswith(f"/change-requests/{number}")
    assert "<td>alice</td>" in after.text and "<td>ui</td>" in after.text and "<td>fine by me</td>" in after.text
    assert "bob, erin, nomail" in after.text and "1 of 2 approvals" in after.text
    assert "You cannot decide this: you have decided it already." in after.text
    assert f"Approve {number}" not in after.text
    async with services.store.reading() as uow:
        [decision] = await uow.change_requests.decisions(int(number.removeprefix("SEA-")))
    assert decision.username == "alice" and decision.channel == "ui"
    assert (await task_of(services, deployment))[0].state is TaskState.QUEUED


async def test_the_deployment_and_release_pages_show_the_request_and_decide_it(services, client):
    deployment, number = await gated(services)
    deployment_path = f"/deployments/Deployments-{deployment.id}"
    release_path = f"/releases/Releases-{deployment.release_id}"
    await sign_in(client, "alice")
    deployment_page = await client.get(deployment_path)
    release_page = await client.get(release_path)
    first = await post_decision(client, number, "proceed", back=deployment_path)
    async with page_client(services) as bob:
        await sign_in(bob, "bob")
        second = await post_decision(bob, number, "proceed", back=release_path)
        decided = await bob.get(release_path)
    await run_all(services)

    for page in (deployment_page, release_page):
        assert f'href="/change-requests/{number}"' in page.text and f"Approve {number}" in page.text
        assert "0 of 2 approvals" in page.text
    assert 'aria-label="1 waiting for you"' in deployment_page.text  # the navigation counts it
    assert first.headers["location"].endswith(deployment_path) and second.headers["location"].endswith(release_path)
    assert "To Test" in decided.text and '<span class="state approved">approved</span>' in decided.text
    assert f"Approve {number}" not in decided.text
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_refusals_the_blocked_deployer_a_missing_reason_and_forged_posts(services, client):
    _, number = await gated(services, deployer="alice")  # an approver, deploying herself
    await sign_in(client, "alice")
    own = await client.get(f"/change-requests/{number}")
    own_vote = await post_decision(client, number, "proceed")
    no_csrf = await client.post(
        f"/change-requests/{number}/decide", data={"result": "proceed"}, headers=origin_of(client)
    )
    cross_site = await post_decision(client, number, "proceed", Origin="https://evil.example")
    async with page_client(services) as bob:
        await sign_in(bob, "bob")
        no_reason = await post_decision(bob, number, "abort", "  ")
        rejected = await post_decision(bob, number, "abort", "not during the sale", back="https://evil.example/x")
        after = await bob.get(f"/change-requests/{number}")

    assert "You cannot decide this: you created this deployment and its policy blocks the creator" in own.text
    assert own_vote.status_code == 403 and "blocks its creator" in own_vote.text
    assert no_csrf.status_code == cross_site.status_code == 403
    assert no_reason.status_code == 422 and "reason is required" in no_reason.text
    assert rejected.status_code == 303 and rejected.headers["location"].endswith(f"/change-requests/{number}")
    assert "Rejected by Bob Builder" in after.text and "not during the sale" in after.text
    async with services.store.reading() as uow:
        request = await uow.change_requests.get(int(number.removeprefix("SEA-")))
        refusals = await uow.audit.list(action="permission.refused")
    assert request.state is ChangeRequestState.REJECTED
    assert [d.username for d in await _decisions(services, number)] == ["bob"]
    assert refusals and refusals[-1].actor == "alice"


async def _decisions(services, number: str):
    async with services.store.reading() as uow:
        return await uow.change_requests.decisions(int(number.removeprefix("SEA-")))


async def test_voided_approvals_show_what_changed_and_an_unknown_or_hidden_request_is_not_found(services, client):
    _, number = await gated(services)
    await add_person(services, "outsider")
    await apply_yaml(services, SPACE.replace("minimum: 2", "minimum: 3"))
    async with services.store.transaction() as uow:
        await rebind_pending(uow, services.clock.now())

    await sign_in(client, "alice")
    page = await client.get(f"/change-requests/{number}")
    unknown = await client.get("/change-requests/SEA-999")
    malformed = await client.get("/change-requests/nonsense")
    async with page_client(services) as outsider:
        await sign_in(outsider, "outsider")
        hidden = await outsider.get(f"/change-requests/{number}")

    assert "What changed" in page.text and "minimum approvals 2 → 3" in page.text
    assert "needs 3 approvals" in page.text
    assert unknown.status_code == malformed.status_code == hidden.status_code == 404
