"""The release page's Deploy buttons for the tutorial's two deployers, and the pages' scoped checks."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.approvals import run_all
from tests.fixtures.deployers import PROJECT, REFUSED_PROD, SPACE
from tests.fixtures.engine import apply_yaml, deploy, release_of
from tests.fixtures.live_server import give_password, hidden_fields, origin_of, page_client, sign_in

from seaway.domain.ids import format_id
from seaway.domain.releases import Release

_BUTTON = re.compile(r'<a class="button" href="/releases/[^"]+/deploy\?environment=\w+">Deploy to (\w+)</a>')
_DISABLED = re.compile(r'<button type="button" disabled aria-describedby="[^"]+">Deploy to (\w+)</button>')


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def a_release(services) -> Release:
    await apply_yaml(services, SPACE)
    for username in ("internaldeployer", "productiondeployer"):
        await give_password(services, username)
    return await release_of(services, PROJECT)


def buttons(html: str) -> list[str]:
    return _BUTTON.findall(html)


def disabled_buttons(html: str) -> list[str]:
    return _DISABLED.findall(html)


async def deploy_form(client, release: str, environment: str) -> dict[str, str]:
    """The hidden fields of the deploy page's form for `environment`."""
    page = await client.get(f"/releases/{release}/deploy", params={"environment": environment})
    assert page.status_code == 200, page.text
    return hidden_fields(page.text)


async def deployments_of(services) -> list[tuple[str, str | None]]:
    async with services.store.reading() as uow:
        return [(e.environment or "", e.channel) for e in await uow.audit.list(action="deployment.created")]


async def test_the_internal_deployer_gets_buttons_for_dev_and_test_and_is_told_about_prod(services, client):
    release = format_id("release", (await a_release(services)).id)
    await sign_in(client, "internaldeployer")

    page = await client.get(f"/releases/{release}")

    assert page.status_code == 200
    assert buttons(page.text) == ["Dev", "Test"]
    assert disabled_buttons(page.text) == []  # no button at all where one may not deploy
    assert '<span class="small">you may not deploy to Prod (missing permission' in page.text
    assert "deployment.create for environment &#34;Prod&#34;)" in page.text


async def test_the_production_deployer_gets_the_prod_button_once_the_lifecycle_allows_it(services, client):
    release = await a_release(services)
    await sign_in(client, "productiondeployer")

    before = await client.get(f"/releases/{format_id('release', release.id)}")
    await deploy(services, release, "Test")
    await run_all(services)
    after = await client.get(f"/releases/{format_id('release', release.id)}")

    assert buttons(before.text) == [] and disabled_buttons(before.text) == ["Prod"]
    assert "not yet: lifecycle &#34;Dev, Test, and Prod&#34; requires phase &#34;Test&#34;" in before.text
    assert "you may not deploy to Dev" in before.text and "you may not deploy to Test" in before.text
    assert buttons(after.text) == ["Prod"]


async def test_the_form_deploys_through_the_page_and_lands_on_the_deployment(services, client):
    release = format_id("release", (await a_release(services)).id)
    await sign_in(client, "internaldeployer")
    fields = await deploy_form(client, release, "Test") | {"comments": "Friday, but small"}

    posted = await client.post(f"/releases/{release}/deploy", data=fields, headers=origin_of(client))

    assert posted.status_code == 303
    assert re.fullmatch(r"http://seaway\.test/deployments/Deployments-\d+", posted.headers["location"])
    assert await deployments_of(services) == [("Test", "ui")]
    shown = await client.get(posted.headers["location"])
    assert "<h1>Random Quotes 0.0.1 to Test</h1>" in shown.text and "Friday, but small" in shown.text


async def test_a_post_of_the_form_by_the_wrong_deployer_is_refused_and_audited(services, client):
    release = format_id("release", (await a_release(services)).id)
    await sign_in(client, "internaldeployer")
    fields = {**await deploy_form(client, release, "Dev"), "environment": "Prod"}  # a forged form

    refused = await client.post(f"/releases/{release}/deploy", data=fields, headers=origin_of(client))

    assert refused.status_code == 403
    assert "Not deployed: missing permission deployment.create for environment &#34;Prod&#34;" in refused.text
    assert await deployments_of(services) == []
    async with services.store.reading() as uow:
        [event] = await uow.audit.list(action="permission.refused")
    assert (event.actor, event.channel, event.auth, event.environment) == ("internaldeployer", "ui", "session", "Prod")
    assert event.details["message"] == REFUSED_PROD


async def test_a_form_without_the_sessions_token_or_from_another_site_deploys_nothing(services, client):
    release = format_id("release", (await a_release(services)).id)
    await sign_in(client, "internaldeployer")
    fields = await deploy_form(client, release, "Dev")

    no_token = await client.post(f"/releases/{release}/deploy", data={"environment": "Dev"}, headers=origin_of(client))
    other_site = await client.post(
        f"/releases/{release}/deploy", data=fields, headers={"Origin": "https://evil.example"}
    )

    assert no_token.status_code == other_site.status_code == 403
    assert await deployments_of(services) == []


# Both of the internal deployer's roles kept to Random Quotes (a role scoped to environments alone would
# let them see every project: seeing a project is about no environment).
HIDDEN_PROJECT = (
    SPACE.replace("{role: project-viewer}", "{role: project-viewer, projects: [Random Quotes]}").replace(
        "environments: [Dev, Test]}", "environments: [Dev, Test], projects: [Random Quotes]}"
    )
    + "  - name: Secret Plans\n    process:\n      - {name: Gate, type: noop}\n"
)


async def test_pages_show_only_what_one_may_see(services, client):
    await apply_yaml(services, HIDDEN_PROJECT)
    await give_password(services, "internaldeployer")
    hidden = await release_of(services, "Secret Plans")
    await deploy(services, hidden, "Dev")
    await sign_in(client, "internaldeployer")

    home = await client.get("/")
    project_page = await client.get(f"/projects/Projects-{hidden.project_id}")
    release_page = await client.get(f"/releases/{format_id('release', hidden.id)}")
    unknown = await client.get("/releases/Releases-999")

    assert ">Random Quotes</a>" in home.text and "Secret Plans" not in home.text
    assert project_page.status_code == release_page.status_code == unknown.status_code == 404
    assert "No such release" in release_page.text and "Secret Plans" not in release_page.text
