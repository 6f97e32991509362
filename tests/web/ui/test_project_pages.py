"""The project pages (list, overview, process, releases, View as YAML), creating a release from its page,
and deploying from the deploy page with prompted variables and a comment."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.approvals import run_all
from tests.fixtures.deployers import LEAD, PROJECT, SPACE
from tests.fixtures.engine import apply_yaml, deploy, release_of
from tests.fixtures.live_server import give_password, hidden_fields, origin_of, page_client, sign_in

from seaway.config.documents import load_text
from seaway.domain.ids import format_id

PROMPTED = """
projects:
  - name: Random Quotes
    lifecycle: Dev, Test, and Prod
    variables:
      - {name: Db Password, value: s3cret-db, sensitive: true}
      - name: Ticket
        value: ""
        prompt: {label: Change ticket, description: The CAB number, required: true}
    process:
      - {name: Say, type: script, script: "echo deployed #{Ticket}", roles: [web-server]}
      - {name: Check, type: script, script: "echo check", enabled: false, start: with-previous,
         environments: {only: [Prod]}, run_condition: always}
"""


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def project_url(services) -> str:
    async with services.store.reading() as uow:
        project = await uow.projects.get_by_name(PROJECT)
    return f"/projects/{format_id('project', project.id)}"


async def signed_in_lead(services, client) -> str:
    await apply_yaml(services, SPACE)
    await apply_yaml(services, LEAD + PROMPTED)
    await give_password(services, "lena")
    await sign_in(client, "lena")
    return await project_url(services)


async def test_the_project_tabs_show_the_process_releases_and_the_yaml(services, client):
    url = await signed_in_lead(services, client)
    release = await release_of(services, PROJECT)
    await deploy(services, release, "Dev", variables={"Ticket": "CAB-1"})
    await run_all(services)

    listing = await client.get("/projects")
    overview = await client.get(url)
    process = await client.get(url + "/process")
    releases = await client.get(url + "/releases")
    as_yaml = await client.get(url + "/yaml")

    assert f'<a href="{url}">Random Quotes</a>' in listing.text
    assert '<span class="state success">success</span>' in overview.text and ">0.0.1</a>" in overview.text
    assert f'<a href="{url}/process" aria-current="page">Process</a>' in process.text
    assert "1. Say" in process.text and "web-server" in process.text
    assert '2. Check <span class="small">(disabled)</span>' in process.text
    assert "only Prod" in process.text and "with the previous step" in process.text and ">always<" in process.text
    assert f'href="/releases/{format_id("release", release.id)}">0.0.1</a>' in releases.text
    document = load_text(re.search(r'<pre class="yaml"[^>]*>(.*?)</pre>', as_yaml.text, re.S).group(1)
                         .replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&"))  # fmt: skip
    [project] = document["projects"]
    assert project["name"] == PROJECT and [s["name"] for s in project["process"]] == ["Say", "Check"]
    assert "s3cret-db" not in as_yaml.text and project["variables"][0]["value"] == {"stored": True}


async def test_a_release_is_created_from_its_page_with_the_suggested_version(services, client):
    url = await signed_in_lead(services, client)
    await release_of(services, PROJECT, "1.4.9")

    form = await client.get(url + "/releases/new")
    taken = await client.post(
        url + "/releases/new", data=hidden_fields(form.text) | {"version": "1.4.9"}, headers=origin_of(client)
    )
    created = await client.post(
        url + "/releases/new",
        data=hidden_fields(form.text) | {"version": "1.4.10", "notes": "Faster quotes"},
        headers=origin_of(client),
    )

    assert 'name="version" value="1.4.10"' in form.text  # the last version with its last number bumped
    assert taken.status_code == 409 and '<p class="field-error" id="version-error">' in taken.text
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    assert "<h1>Random Quotes 1.4.10</h1>" in page.text and "Faster quotes" in page.text


async def test_someone_who_may_not_create_releases_sees_no_form_and_a_forged_post_is_refused(services, client):
    await apply_yaml(services, SPACE)
    await give_password(services, "internaldeployer")
    await sign_in(client, "internaldeployer")
    url = await project_url(services)
    csrf = hidden_fields((await client.get("/signin")).text, index=1)  # the session's token, from sign-out

    form = await client.get(url + "/releases/new")
    forged = await client.post(url + "/releases/new", data={"version": "9.9.9", **csrf}, headers=origin_of(client))

    assert "You may not create releases" in form.text and "Create release</button>" not in form.text
    assert "Create release</a>" not in (await client.get(url)).text
    assert forged.status_code == 403
    async with services.store.reading() as uow:
        assert await uow.releases.versions((await uow.projects.get_by_name(PROJECT)).id or 0) == []


async def test_the_deploy_page_asks_for_prompted_variables_and_shows_a_refusal_next_to_the_field(services, client):
    await signed_in_lead(services, client)
    release = format_id("release", (await release_of(services, PROJECT)).id)

    page = await client.get(f"/releases/{release}/deploy", params={"environment": "Dev"})
    fields = hidden_fields(page.text)
    missing = await client.post(
        f"/releases/{release}/deploy", data=fields | {"variable:Ticket": ""}, headers=origin_of(client)
    )
    done = await client.post(
        f"/releases/{release}/deploy",
        data=fields | {"variable:Ticket": "CAB-42", "comments": "small"},
        headers=origin_of(client),
    )

    assert '<label for="f-1">Change ticket (required)</label>' in page.text
    assert missing.status_code == 422
    assert '<p class="field-error" id="e-1">Not deployed: ' in missing.text and 'aria-invalid="true"' in missing.text
    assert done.status_code == 303
    await run_all(services)
    async with services.store.reading() as uow:
        [deployment] = await uow.deployments.list_for_release(int(release.split("-")[1]))
    assert (deployment.prompted_variables, deployment.comments) == ({"Ticket": "CAB-42"}, "small")


async def test_a_variable_is_added_refused_next_to_its_field_edited_and_deleted(services, client):
    url = await signed_in_lead(services, client)
    page = await client.get(url + "/variables")
    csrf = hidden_fields(page.text)

    async def post(**fields):
        data = csrf | fields
        return await client.post(url + "/variables", data=data, headers=origin_of(client))

    blank = await post(name="   ", value="x", environments="Prod")
    added = await post(name="Port", value="8081", environments="Prod", steps="Say")
    shown = await client.get(url + "/variables")
    edit_form = await client.get(url + "/variables", params={"edit": 2})
    edited = await post(index="2", name="Port", value="9090", environments="Test")
    secret_kept = await post(index="0", name="Db Password", value="", sensitive="on")
    deleted = await post(index="1", action="delete", name="Ticket")

    assert "s3cret-db" not in page.text and "********" in page.text
    assert blank.status_code == 422
    assert '<p class="field-error" id="name-error" role="alert">' in blank.text
    assert '<option value="Prod" selected>Prod</option>' in blank.text  # what was chosen is kept
    assert added.status_code == edited.status_code == secret_kept.status_code == deleted.status_code == 303
    assert "<code>8081</code>" in shown.text and "environments: Prod; steps: Say" in shown.text
    assert 'name="value" value="8081"' in edit_form.text
    async with services.store.reading() as uow:
        variables = (await uow.projects.get_by_name(PROJECT)).variables
        [event, *_] = await uow.audit.list(action="variables.updated")
    assert [(v.name, v.value) for v in variables] == [("Db Password", "s3cret-db"), ("Port", "9090")]
    assert [sorted(v.scope.environments) for v in variables] == [[], ["Test"]]
    assert (event.channel, event.auth) == ("ui", "session")


async def test_someone_who_may_only_view_sees_no_form_and_a_forged_post_is_refused(services, client):
    await apply_yaml(services, SPACE)
    await give_password(services, "internaldeployer")
    await sign_in(client, "internaldeployer")
    url = await project_url(services)
    csrf = hidden_fields((await client.get("/signin")).text, index=1)

    page = await client.get(url + "/variables")
    forged = await client.post(url + "/variables", data=csrf | {"name": "X", "value": "y"}, headers=origin_of(client))

    assert "Add variable" not in page.text
    assert forged.status_code == 403
    async with services.store.reading() as uow:
        assert (await uow.projects.get_by_name(PROJECT)).variables == ()
