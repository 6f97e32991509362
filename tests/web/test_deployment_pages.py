"""The read-only deployment page and the home page: where emailed "View the deployment" links land."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from tests.fixtures.approvals import decide, interruption_of, run_all, set_up, user_named
from tests.fixtures.engine import log_of
from tests.fixtures.live_server import PASSWORD, page_client, sign_in

from seaway.security.passwords import hash_password


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def give_password(services, username: str) -> None:
    user = await user_named(services, username)
    assert user.id is not None
    async with services.store.transaction() as uow:
        await uow.users.set_password_hash(user.id, hash_password(PASSWORD))


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
    assert f"seaway approve Interruptions-{(await interruption_of(services, deployment)).id}" in page.text
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
    assert "<script" not in page.text


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
    assert f"{link}Quotes 0.0.1</a>" in carol_home.text


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
