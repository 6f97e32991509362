"""The read-only deployment page and the home page: where emailed "View the deployment" links land."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from tests.fixtures.approvals import decide, deploy_as, interruption_of, run_all, set_up, space
from tests.fixtures.engine import apply_yaml, log_of
from tests.fixtures.live_server import (
    decision_state,
    form_fields,
    give_password,
    origin_of,
    page_client,
    session_csrf,
    sign_in,
)

from seaway.web.ui import deployments as deployments_page


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def test_the_deployment_link_in_the_emails_needs_a_sign_in_and_comes_back(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    path = f"/deployments/Deployments-{deployment.id}"
    async with services.store.transaction() as uow:
        emails = [e for e in await uow.emails.list() if e.dedupe_key.startswith("approval:")]
    assert all(f"{services.settings.public_url}{path}" in e.text for e in emails)

    signed_out = await client.get(path)
    signed_in = await sign_in(client, "alice", next_path=path)

    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == f"http://seaway.test/signin?next={quote(path, safe='/')}"
    assert signed_in.status_code == 303 and signed_in.headers["location"] == f"http://seaway.test{path}"
    page = await client.get(path)
    assert page.status_code == 200
    assert "<h1>Quotes 0.0.1 to Test</h1>" in page.text
    assert '<span class="state waiting">waiting</span>' in page.text
    assert "Deployed by</dt><dd>Dave Deployer" in page.text
    assert "Sign Off: waiting for a decision" in page.text
    interruption_id = f"Interruptions-{(await interruption_of(services, deployment)).id}"
    assert f'<input type="hidden" name="interruption" value="{interruption_id}">' in page.text
    assert '<button type="submit" name="result" value="proceed" class="approve">Approve</button>' in page.text
    assert '<section class="instructions"><p>Check <strong>Test</strong> for release 0.0.1</p>' in page.text
    assert "building 0.0.1" in page.text  # the log


async def test_the_page_shows_who_decided_with_the_note_and_the_final_state(services, client):
    deployment = await set_up(services)
    await decide(services, await interruption_of(services, deployment), "bob", "abort", "the banner is <wrong>")
    await run_all(services)
    await give_password(services, "carol")
    await sign_in(client, "carol")

    page = await client.get(f"/deployments/{deployment.id}")

    assert page.status_code == 200
    assert '<span class="state failed">failed</span>' in page.text
    assert "Sign Off: rejected" in page.text and "Rejected by Bob Builder at " in page.text
    assert "<blockquote>the banner is &lt;wrong&gt;</blockquote>" in page.text
    assert "failure: Rejected by Bob Builder: the banner is &lt;wrong&gt;" in page.text
    assert "failure: Rejected by Bob Builder" in await log_of(services, deployment)
    # The one script is Seaway's own, from /static: nothing inline.
    assert re.findall(r"<script\b[^>]*>", page.text) == ['<script src="/static/deployment.js" defer>']


async def test_an_unknown_or_malformed_deployment_is_a_404_page(services, client):
    await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    missing = await client.get("/deployments/Deployments-999")
    malformed = await client.get("/deployments/Releases-1")

    assert missing.status_code == malformed.status_code == 404
    assert "No such deployment" in missing.text and "Deployments-999" in missing.text


async def test_home_lists_what_waits_for_you_and_the_latest_deployments(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    await give_password(services, "carol")

    signed_out = await client.get("/")
    await sign_in(client, "alice")
    alice_home = await client.get("/")
    await sign_in(client, "carol")
    carol_home = await client.get("/")

    assert signed_out.status_code == 303 and signed_out.headers["location"] == "http://seaway.test/signin?next=/"
    link = f'<a href="/deployments/Deployments-{deployment.id}">'
    assert "Waiting for your decision" in alice_home.text
    assert f"{link}Sign Off: Quotes 0.0.1 to Test</a>" in alice_home.text
    assert "Nothing waits for you." in carol_home.text  # not in the responsible team
    assert f'<a href="/projects/Projects-{deployment.project_id}">Quotes</a>' in carol_home.text
    assert '<a href="/signin">Sign out</a>' in carol_home.text
    assert f"{link}0.0.1</a>" in carol_home.text  # the cell of Quotes in Test


async def test_the_project_and_release_links_of_the_system_variables_lead_to_pages(services, client):
    steps = (
        "      - {name: Links, type: script, script: "
        '"echo project=#{Octopus.Web.ProjectLink} release=#{Octopus.Web.ReleaseLink}"}\n'
    )
    deployment = await set_up(services, steps)
    await give_password(services, "alice")
    await sign_in(client, "alice")
    log = await log_of(services, deployment)
    project_path = log.split("project=")[1].split()[0]
    release_path = log.split("release=")[1].split()[0]

    project = await client.get(project_path)
    release = await client.get(release_path)
    unknown = await client.get("/projects/Projects-99")
    malformed = await client.get("/releases/nonsense")

    assert (project_path, release_path) == (f"/projects/Projects-{deployment.project_id}", release_path)
    assert project.status_code == release.status_code == 200
    assert "<h1>Quotes</h1>" in project.text
    assert "<th>Dev</th><th>Test</th><th>Prod</th>" in project.text
    assert f'<a href="{release_path}">0.0.1</a>' in project.text
    assert f'<a href="/deployments/Deployments-{deployment.id}"><span class="state success">' in project.text
    assert "<h1>Quotes 0.0.1</h1>" in release.text
    assert f'<a href="/deployments/Deployments-{deployment.id}">Deployments-{deployment.id}</a>' in release.text
    assert unknown.status_code == malformed.status_code == 404
    assert "No such project" in unknown.text and "No such release" in malformed.text


async def test_the_project_page_needs_a_sign_in(services, client):
    deployment = await set_up(services)

    response = await client.get(f"/projects/{deployment.project_id}")

    assert response.status_code == 303
    assert response.headers["location"].startswith("http://seaway.test/signin?next=/projects/")


async def decide_on_page(client, deployment, fields: dict[str, str]):
    """Post the page's decision form as a browser would (or, for someone shown no form, forge it)."""
    page = await client.get(f"/deployments/{deployment.id}")
    if 'name="interruption"' in page.text:
        form = form_fields(page.text, f"/deployments/Deployments-{deployment.id}/decide")
    else:
        form = {"csrf_token": await session_csrf(client), "interruption": "1"}
    return await client.post(
        f"/deployments/Deployments-{deployment.id}/decide", data=form | fields, headers=origin_of(client)
    )


async def test_a_responsible_user_approves_on_the_page_and_it_is_recorded_as_ui(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")

    response = await decide_on_page(client, deployment, {"result": "proceed", "note": "fine on the page"})
    await run_all(services)

    assert response.status_code == 303
    assert response.headers["location"] == f"http://seaway.test/deployments/Deployments-{deployment.id}"
    interruption = await interruption_of(services, deployment)
    assert (interruption.outcome and interruption.outcome.value, interruption.channel) == ("Approved", "ui")
    assert interruption.notes == "fine on the page"
    async with services.store.transaction() as uow:
        [event] = await uow.audit.list(action="interruption.submitted")
    assert (event.actor, event.channel, event.details["auth_method"]) == ("alice", "ui", "session")
    page = await client.get(f"/deployments/Deployments-{deployment.id}")
    assert "Approved by Alice Approver at " in page.text
    assert 'name="interruption"' not in page.text  # nothing left to decide


async def test_rejecting_on_the_page_needs_a_reason_and_keeps_what_was_typed(services, client):
    deployment = await set_up(services)
    await give_password(services, "bob")
    await sign_in(client, "bob")

    no_reason = await decide_on_page(client, deployment, {"result": "abort", "note": "  "})

    assert no_reason.status_code == 422
    assert "a reason is required to reject" in no_reason.text
    assert (await interruption_of(services, deployment)).is_pending
    rejected = await decide_on_page(client, deployment, {"result": "abort", "note": "the banner is wrong"})
    assert rejected.status_code == 303
    assert (await interruption_of(services, deployment)).notes == "the banner is wrong"


async def test_who_may_not_decide_sees_why_and_a_forged_post_changes_nothing(services, client):
    await apply_yaml(services, space())
    deployment = await deploy_as(services, "alice")  # a responsible member, deploying herself
    await run_all(services)
    await give_password(services, "carol")
    await give_password(services, "alice")
    before = await decision_state(services)

    await sign_in(client, "carol")
    carol_page = await client.get(f"/deployments/{deployment.id}")
    carol_post = await decide_on_page(client, deployment, {"result": "proceed"})
    await sign_in(client, "alice")
    alice_page = await client.get(f"/deployments/{deployment.id}")
    alice_post = await decide_on_page(client, deployment, {"result": "proceed"})
    no_csrf = await client.post(
        f"/deployments/{deployment.id}/decide",
        data={"interruption": "1", "result": "proceed"},
        headers=origin_of(client),
    )
    cross_site = await client.post(
        f"/deployments/{deployment.id}/decide",
        data={"csrf_token": await session_csrf(client), "interruption": "1", "result": "proceed"},
        headers={"Origin": "https://evil.example"},
    )

    assert 'name="interruption"' not in carol_page.text and 'name="interruption"' not in alice_page.text
    assert "You cannot decide this: user &#34;carol&#34; is not in the responsible teams" in carol_page.text
    assert "You cannot decide this: user &#34;alice&#34; started this deployment" in alice_page.text
    assert carol_post.status_code == alice_post.status_code == no_csrf.status_code == cross_site.status_code == 403
    after = await decision_state(services)
    assert {**after, "audit": before["audit"]} == before  # nothing decided, nothing sent
    async with services.store.reading() as uow:
        refused = await uow.audit.list(action="permission.refused")
    # The two refused decisions are on record, each in its own event; the forged posts were never read.
    assert [(e.actor, e.channel, e.auth, e.details["code"]) for e in refused] == [
        ("carol", "ui", "session", "not_responsible"),
        ("alice", "ui", "session", "self_approval"),
    ]
    assert len(after["audit"]) == len(before["audit"]) + 2


async def test_a_decision_already_made_elsewhere_is_a_409_that_names_who(services, client):
    deployment = await set_up(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")
    page = await client.get(f"/deployments/{deployment.id}")
    await decide(services, await interruption_of(services, deployment), "bob", "abort", "no")

    response = await client.post(
        f"/deployments/{deployment.id}/decide",
        data=form_fields(page.text, f"/deployments/Deployments-{deployment.id}/decide") | {"result": "proceed"},
        headers=origin_of(client),
    )

    assert response.status_code == 409
    assert "Not decided: Interruptions-1 was already decided by Bob Builder at " in response.text


async def test_an_interruption_of_another_deployment_is_refused(services, client):
    first = await set_up(services)
    second = await deploy_as(services, "dave")
    await run_all(services)
    await give_password(services, "alice")
    await sign_in(client, "alice")
    page = await client.get(f"/deployments/{first.id}")

    response = await client.post(
        f"/deployments/{second.id}/decide",
        data=form_fields(page.text, f"/deployments/Deployments-{first.id}/decide") | {"result": "proceed"},
        headers=origin_of(client),
    )

    assert response.status_code == 422
    assert "that decision is not part of this deployment" in response.text
    assert (await interruption_of(services, first)).is_pending


async def test_a_long_log_shows_its_last_lines_and_says_how_many_were_left_out(services, client, monkeypatch):
    steps = '      - {name: Chatty, type: script, script: "for i in $(seq 1 30); do echo line-$i; done"}\n'
    deployment = await set_up(services, steps)
    await give_password(services, "alice")
    await sign_in(client, "alice")
    monkeypatch.setattr(deployments_page, "LOG_LINES_SHOWN", 10)

    page = await client.get(f"/deployments/{deployment.id}")

    assert "line-30<" in page.text and "The deployment succeeded" in page.text  # the end is what matters
    assert "line-1<" not in page.text and "line-15<" not in page.text
    total = len((await log_of(services, deployment)).splitlines())
    assert f'<span id="log-earlier-count">{total - 10}</span> earlier lines are not shown.' in page.text

    # "Load earlier lines": the page's session reads the lines before the first one shown, a page at a time.
    task_id, first = re.search(r'data-task="([^"]+)" data-first="(\d+)"', page.text).groups()
    earlier = await client.get(f"/api/v1/tasks/{task_id}/log", params={"before": first, "limit": 5})
    assert earlier.status_code == 200
    assert earlier.json()["earlier"] == total - 15
    assert [line["id"] for line in earlier.json()["lines"]] == list(range(int(first) - 5, int(first)))
