"""The Approvals and Tasks lists: tabs, the Mine filter, and only what the visitor may see."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.approvals import decide, interruption_of, run_all, set_up
from tests.fixtures.live_server import add_person, give_password, page_client, sign_in


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


def row_links(html: str) -> list[str]:
    return re.findall(r'<li class="row">\s*<a href="([^"]+)"', html)


async def test_the_approvals_tabs_and_the_mine_filter(services, client):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    await give_password(services, "alice")
    await give_password(services, "carol")
    review = f"/deployments/Deployments-{deployment.id}#interruption-{interruption.id}"

    await sign_in(client, "alice")
    pending = await client.get("/approvals")
    alice_mine = await client.get("/approvals", params={"mine": "1"})
    completed_before = await client.get("/approvals", params={"tab": "completed"})
    async with page_client(services) as carol:
        await sign_in(carol, "carol")  # may see it, is not responsible for it
        carol_all = await carol.get("/approvals")
        carol_mine = await carol.get("/approvals", params={"mine": "1"})
    await decide(services, interruption, "alice", "proceed", "fine")
    await run_all(services)
    completed = await client.get("/approvals", params={"tab": "completed"})
    every = await client.get("/approvals", params={"tab": "all", "mine": "1"})
    unknown_tab = await client.get("/approvals", params={"tab": "nonsense"})

    assert pending.status_code == 200
    assert row_links(pending.text) == [review] == row_links(alice_mine.text) == row_links(carol_all.text)
    assert "Sign Off: Quotes 0.0.1 to Test" in pending.text and "yours to decide" in pending.text
    assert '<a href="/approvals?tab=needs-approval" aria-current="page">Needs approval</a>' in pending.text
    assert row_links(completed_before.text) == [] and row_links(carol_mine.text) == []
    assert "yours to decide" not in carol_all.text
    assert row_links(completed.text) == [review] == row_links(every.text)
    assert "Approved" in completed.text and "by Alice Approver" in completed.text
    assert unknown_tab.status_code == 200 and row_links(unknown_tab.text) == []  # the first tab: none pending


async def test_someone_who_may_not_see_the_project_lists_nothing(services, client):
    await set_up(services)
    await add_person(services, "outsider")
    await sign_in(client, "outsider")

    approvals = await client.get("/approvals", params={"tab": "all"})
    tasks = await client.get("/tasks")

    assert approvals.status_code == tasks.status_code == 200
    assert row_links(approvals.text) == [] and "Nothing here." in approvals.text
    assert "No tasks here." in tasks.text


async def test_the_tasks_list_filters_by_state_with_a_needs_approval_tab(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    every = await client.get("/tasks")
    waiting = await client.get("/tasks", params={"state": "waiting"})
    succeeded = await client.get("/tasks", params={"state": "success"})
    signed_out = await page_client(services).get("/tasks")

    link = f'<a href="/deployments/Deployments-{deployment.id}">Quotes 0.0.1</a>'
    assert link in every.text and link in waiting.text and link not in succeeded.text
    assert '<a href="/tasks?state=waiting" aria-current="page">Needs approval</a>' in waiting.text
    assert signed_out.status_code == 303
