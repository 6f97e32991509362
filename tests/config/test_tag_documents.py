"""`tags:` in the config document on both databases: on projects, on environments (a name alone keeps its
tags), in a policy's scope; the export writes them back as apply reads them; a tagged deployment is gated."""

from __future__ import annotations

import pytest
from tests.config.test_export import apply_text, export_text
from tests.fixtures.approvals import PEOPLE, run_all, user_named
from tests.fixtures.engine import apply_yaml, deploy, release_of

from seaway.config.documents import load_text, parse_document
from seaway.errors import InvalidInput

SPACE = (
    PEOPLE.replace("environments: [Dev, Test, Prod]", "environments: [Dev, {name: Test, tags: [EU]}, Prod]")
    + """
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    tags: [pci]
    process:
      - {name: Hello, type: script, script: "echo hello"}
  - name: Brochure
    lifecycle: Dev, Test, and Prod
    process:
      - {name: Hello, type: script, script: "echo hello"}
approval_policies:
  - name: Cardholder data
    scope: {tags: [PCI, eu]}
    approvers: {teams: [Project Stakeholders]}
"""
)


async def test_tags_are_stored_exported_and_applied_back_unchanged(services):
    await apply_yaml(services, SPACE)
    exported = await export_text(services)
    document = load_text(exported)
    assert {"name": "Test", "tags": ["EU"]} in document["environments"] and "Dev" in document["environments"]
    assert next(p for p in document["projects"] if p["name"] == "Quotes")["tags"] == ["pci"]
    assert document["approval_policies"][0]["scope"] == {"tags": ["PCI", "eu"]}
    result = await apply_text(services, exported)
    assert (result.created, result.updated) == ([], [])


async def test_an_environment_named_alone_keeps_its_tags_and_a_mapping_sets_them(services):
    await apply_yaml(services, SPACE)
    await apply_yaml(services, SPACE.replace("{name: Test, tags: [EU]}", "Test"))
    async with services.store.reading() as uow:
        assert (await uow.environments.get_by_name("Test")).tags == ("EU",)
    await apply_yaml(services, SPACE.replace("{name: Test, tags: [EU]}", "{name: Test, tags: []}"))
    async with services.store.reading() as uow:
        assert (await uow.environments.get_by_name("Test")).tags == ()


async def test_a_policy_scoped_on_tags_gates_what_carries_one(services):
    await apply_yaml(services, SPACE)
    dave = await user_named(services, "dave")
    quotes, brochure = await release_of(services, "Quotes"), await release_of(services, "Brochure")
    gated = {
        (project, env): await deploy(services, release, env, user=dave)
        for project, release in (("Quotes", quotes), ("Brochure", brochure))
        for env in ("Dev", "Test")
    }
    await run_all(services)
    async with services.store.reading() as uow:
        found = {key: await uow.change_requests.find_for_deployment(d.id) for key, d in gated.items()}
    assert {key for key, request in found.items() if request is not None} == {
        ("Quotes", "Dev"),  # the project carries pci
        ("Quotes", "Test"),
        ("Brochure", "Test"),  # the environment carries EU
    }


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("environments: [{name: Dev, tags: [a b]}]", "environments[0].tags[0]"),
        ("environments: [{name: Dev, colour: red}]", "environments[0].colour"),
        ("projects: [{name: P, tags: [ok, 'no good']}]", "projects[0].tags[1]"),
        ("projects: [{name: P, tags: {a: 1}}]", "projects[0].tags"),
    ],
)
def test_a_bad_tag_names_its_path(text, field):
    with pytest.raises(InvalidInput) as refused:
        parse_document(load_text(text))
    assert refused.value.field == field
