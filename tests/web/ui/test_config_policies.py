"""The approval policies and freezes pages: every policy and freeze in words, and for those with `policy.edit`
each edited as YAML through the engine calls the API uses, audited with the channel `ui`; refused text is
shown again as posted, naming the field, and nothing is saved."""

from __future__ import annotations

import re
from html import unescape

import pytest
from tests.fixtures.approvals import HELLO_PROJECT, PEOPLE, TWO_FOR_TEST, deploy_as, run_all
from tests.fixtures.engine import apply_yaml
from tests.fixtures.live_server import add_person, form_fields, origin_of, page_client, session_csrf, sign_in

LIST = "/configuration/policies"

PROD_CONTROL = """
approval_policies:
  - name: Prod control
    description: Two stakeholders sign off on Prod
    scope: {environments: [Prod]}
    approvers: {teams: [Project Stakeholders], users: [carol]}
    minimum: 2
    block_deployment_creator: false
    quorum: [{team: Project Stakeholders, minimum: 2}]
    timeout: {after: 24h, action: escalate, escalate_to: [Deployers]}
    reminders: {every: 4h}
    change_windows:
      - {days: [Mon, Tue, Wed, Thu, Fri], start: "09:00", end: "17:00", timezone: Europe/London}
freezes:
  - name: Forever
    description: Nothing ships, ever
    scope: {projects: [Quotes]}
    start: "2000-01-01T00:00:00Z"
    end: "2100-01-01T00:00:00Z"
  - name: Later
    start: "2099-01-01T00:00:00Z"
    end: "2099-01-02T00:00:00Z"
"""

NEW_POLICY = """\
name: Night watch
scope:
  environments: [Dev]
approvers:
  teams: [Project Stakeholders]
minimum: 1
"""

YEAR_END = """\
name: Year end
scope:
  environments: [Prod]
start: "2026-12-20T00:00:00Z"
end: "2027-01-03T00:00:00Z"
"""


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def as_root(services, client, space: str = PEOPLE + HELLO_PROJECT) -> None:
    await apply_yaml(services, space)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")


async def post(client, page_path: str, action: str, fields: dict[str, str]):
    """Post the form of the page at `page_path` that posts to `action`, with `fields` added."""
    page = await client.get(page_path)
    return await client.post(action, data=form_fields(page.text, action) | fields, headers=origin_of(client))


async def policy_named(services, name: str):
    async with services.store.reading() as uow:
        return await uow.policies.find_by_name(name)


async def freeze_named(services, name: str):
    async with services.store.reading() as uow:
        return await uow.freezes.find_by_name(name)


async def events(services, action: str):
    async with services.store.reading() as uow:
        return await uow.audit.search(action=action, limit=10)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_the_list_shows_each_policy_and_freeze_in_words_and_is_linked_from_configuration(services, client):
    await as_root(services, client, PEOPLE + HELLO_PROJECT + PROD_CONTROL)

    configuration = await client.get("/configuration")
    listed = await client.get(LIST)
    shown = text_of(listed.text)

    assert f'href="{LIST}"' in configuration.text
    assert listed.status_code == 200
    for fact in (
        "Prod control",
        "Two stakeholders sign off on Prod",
        "every project; environments Prod",
        "team Project Stakeholders, user carol",
        "Minimum approvals 2",
        "The deployer's own approval counts",
        "Quorum 2 of Project Stakeholders",
        "Change windows Mon–Fri 09:00–17:00 Europe/London",
        "Timeout after 1d: escalate to Deployers",
        "Reminders every 4h",
        "projects Quotes; every environment",
        "2000-01-01 00:00 UTC – 2100-01-01 00:00 UTC",
    ):
        assert fact in shown, fact
    forever, later = shown.index("Forever"), shown.index("Later")
    assert shown.count("in force now") == 1 and forever < shown.index("in force now") < later
    assert 'href="/configuration/policies/new"' in listed.text and 'href="/configuration/freezes/new"' in listed.text


async def test_a_policy_is_created_edited_and_deleted_from_its_page_audited_from_the_ui(services, client):
    await as_root(services, client)

    new_page = await client.get(f"{LIST}/new")
    created = await post(client, f"{LIST}/new", f"{LIST}/new", {"document": NEW_POLICY})
    policy = await policy_named(services, "Night watch")
    page_path = f"{LIST}/ApprovalPolicies-{policy.id}"
    edit_page = await client.get(page_path)
    edited = await post(client, page_path, page_path, {"document": NEW_POLICY.replace("minimum: 1", "minimum: 3")})
    listed = text_of((await client.get(LIST)).text)
    unconfirmed = await post(client, page_path, f"{page_path}/delete", {})
    kept = await policy_named(services, "Night watch")
    deleted = await post(client, page_path, f"{page_path}/delete", {"confirm": "yes"})
    [update] = await events(services, "policy.updated")

    assert new_page.status_code == 200 and "name: Production change control" in new_page.text
    assert created.status_code == edited.status_code == deleted.status_code == 303
    assert "minimum: 3" not in edit_page.text and "name: Night watch" in edit_page.text
    assert "Minimum approvals 3" in listed
    assert unconfirmed.status_code == 422 and 'id="confirm-error"' in unconfirmed.text and kept is not None
    assert await policy_named(services, "Night watch") is None
    assert update.channel == "ui" and update.entity_id == f"ApprovalPolicies-{policy.id}"
    assert "minimum" in str(update.details)
    assert [len(await events(services, f"policy.{what}")) for what in ("created", "deleted")] == [1, 1]


async def test_bad_yaml_or_a_bad_value_is_shown_again_as_posted_naming_the_field_and_nothing_is_saved(services, client):
    await as_root(services, client)
    unknown_team = NEW_POLICY.replace("[Project Stakeholders]", "[Nobody Here]")
    not_yaml = "name: Broken\napprovers: {teams: [Project Stakeholders]\n"
    taken = NEW_POLICY.replace("Night watch", "Two for Test")
    await apply_yaml(services, TWO_FOR_TEST)

    refused = [
        await post(client, f"{LIST}/new", f"{LIST}/new", {"document": text})
        for text in (unknown_team, not_yaml, NEW_POLICY.replace("minimum: 1", "minimum: none"), taken)
    ]

    team, syntax, minimum, clash = refused
    assert [r.status_code for r in refused] == [422, 422, 422, 409]
    error = re.search(r'<p class="field-error" id="document-error" role="alert">([^<]*)</p>', team.text)
    assert error is not None and "approvers.teams[0]" in error.group(1) and "Nobody Here" in error.group(1)
    assert 'aria-describedby="document-error"' in team.text and "[Nobody Here]" in team.text
    assert "not valid YAML at line" in syntax.text and "approvers: {teams: [Project Stakeholders]\n" in syntax.text
    assert "minimum: expected a whole number" in minimum.text
    assert "Not done:" in clash.text and "Two for Test" in clash.text
    assert await policy_named(services, "Night watch") is None and await policy_named(services, "Broken") is None
    assert [e for e in await events(services, "policy.created") if e.channel == "ui"] == []


async def test_editing_a_policy_puts_a_pending_change_request_to_its_approvers_again(services, client):
    await as_root(services, client, PEOPLE + HELLO_PROJECT + TWO_FOR_TEST)
    await deploy_as(services)
    await run_all(services)
    policy = await policy_named(services, "Two for Test")
    page_path = f"{LIST}/ApprovalPolicies-{policy.id}"

    page = await client.get(page_path)
    posted = re.search(r'<textarea id="document"[^>]*>([^<]*)</textarea>', page.text)
    assert posted is not None
    text = unescape(posted.group(1))
    edited = await post(client, page_path, page_path, {"document": text.replace("minimum: 2", "minimum: 3")})
    async with services.store.reading() as uow:
        [request] = await uow.change_requests.list(state="pending", limit=10)

    assert edited.status_code == 303
    assert request.policy.minimum == 3


async def test_without_policy_edit_there_are_no_forms_and_a_forged_post_is_a_403_audited(services, client):
    await apply_yaml(services, PEOPLE + HELLO_PROJECT + PROD_CONTROL)
    await add_person(services, "viewer", roles=("project-viewer",))
    await sign_in(client, "viewer")
    csrf = await session_csrf(client)
    policy = await policy_named(services, "Prod control")
    page_path = f"{LIST}/ApprovalPolicies-{policy.id}"

    listed = await client.get(LIST)
    page = await client.get(page_path)
    forged = [
        await client.post(path, data={"csrf_token": csrf, **fields}, headers=origin_of(client))
        for path, fields in (
            (f"{LIST}/new", {"document": NEW_POLICY}),
            (page_path, {"document": NEW_POLICY}),
            (f"{page_path}/delete", {"confirm": "yes"}),
            ("/configuration/freezes/new", {"document": YEAR_END.replace("Year end", "Mine")}),
        )
    ]

    assert listed.status_code == page.status_code == 200
    assert "Prod control" in listed.text and "/configuration/freezes/new" not in listed.text
    assert "/configuration/policies/new" not in listed.text and "<textarea" not in page.text
    assert 'class="yaml"' in page.text and "name: Prod control" in page.text
    assert [f.status_code for f in forged] == [403, 403, 403, 403]
    assert await policy_named(services, "Night watch") is None and await policy_named(services, "Prod control")
    assert await freeze_named(services, "Mine") is None
    assert len(await events(services, "permission.refused")) == 4


async def test_a_freeze_is_created_listed_and_refused_when_it_ends_before_it_starts(services, client):
    await as_root(services, client)
    year_end = YEAR_END
    backwards = year_end.replace("Year end", "Backwards").replace("2027-01-03", "2026-12-01")
    unknown = year_end.replace("Year end", "Nowhere").replace("[Prod]", "[Moon]")

    new_page = await client.get("/configuration/freezes/new")
    created = await post(client, "/configuration/freezes/new", "/configuration/freezes/new", {"document": year_end})
    refused = [
        await post(client, "/configuration/freezes/new", "/configuration/freezes/new", {"document": text})
        for text in (backwards, unknown)
    ]
    listed = text_of((await client.get(LIST)).text)
    freeze = await freeze_named(services, "Year end")
    [event] = await events(services, "freeze.created")

    assert new_page.status_code == 200 and "name: Year end" in new_page.text
    assert created.status_code == 303 and freeze is not None
    assert "Year end" in listed and "2026-12-20 00:00 UTC – 2027-01-03 00:00 UTC" in listed
    assert [r.status_code for r in refused] == [422, 422]
    assert 'id="document-error"' in refused[0].text and "end: a freeze must end after it starts" in refused[0].text
    assert "scope.environments[0]" in refused[1].text and "Moon" in refused[1].text
    assert await freeze_named(services, "Backwards") is None and await freeze_named(services, "Nowhere") is None
    assert event.channel == "ui" and event.entity_id == f"Freezes-{freeze.id}"


async def test_without_policy_view_the_pages_are_refused_and_unlinked_and_a_form_from_another_site_is_refused(
    services, client
):
    await apply_yaml(services, PEOPLE + HELLO_PROJECT + TWO_FOR_TEST)
    await add_person(services, "stranger")
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "stranger")
    index = await client.get("/configuration")
    pages = [await client.get(path) for path in (LIST, f"{LIST}/Two for Test", "/configuration/freezes/new")]
    async with page_client(services) as root:
        await sign_in(root, "root")
        csrf = await session_csrf(root)
        cross_site = await root.post(
            f"{LIST}/new", data={"csrf_token": csrf, "document": NEW_POLICY}, headers={"Origin": "https://evil.test"}
        )
        stale = await root.post(
            f"{LIST}/new", data={"csrf_token": "stale", "document": NEW_POLICY}, headers=origin_of(root)
        )
        by_name = await root.get(f"{LIST}/Two for Test")
        unknown = await root.get(f"{LIST}/ApprovalPolicies-999")

    assert f'href="{LIST}"' not in index.text
    assert [p.status_code for p in pages] == [403, 403, 403]
    assert cross_site.status_code == stale.status_code == 403
    assert "This form is out of date" in stale.text and "[Project Stakeholders]" in stale.text
    assert by_name.status_code == 200 and "minimum: 2" in by_name.text and unknown.status_code == 404
    assert await policy_named(services, "Night watch") is None


async def test_the_text_a_page_shows_saves_back_to_the_same_policy_and_freeze(services, client):
    await as_root(services, client, PEOPLE + HELLO_PROJECT + PROD_CONTROL)
    before = (await policy_named(services, "Prod control"), await freeze_named(services, "Forever"))
    paths = [f"{LIST}/ApprovalPolicies-{before[0].id}", f"/configuration/freezes/Freezes-{before[1].id}"]

    saved = []
    for path in paths:
        page = await client.get(path)
        shown = re.search(r'<textarea id="document"[^>]*>([^<]*)</textarea>', page.text)
        assert shown is not None
        saved.append(await post(client, path, path, {"document": unescape(shown.group(1))}))
    after = (await policy_named(services, "Prod control"), await freeze_named(services, "Forever"))

    assert [s.status_code for s in saved] == [303, 303]
    assert after == before
