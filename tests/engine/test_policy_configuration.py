"""`approval_policies:` applied on both databases: created, updated and left unchanged by name, audited, names
checked against the space with the YAML path in the error, and nothing written by a document that fails."""

from __future__ import annotations

import pytest
from tests.fixtures.approvals import PEOPLE

from seaway.config.documents import load_text, parse_document
from seaway.engine.configuration import apply_document
from seaway.errors import InvalidInput

POLICY = """approval_policies:
  - name: Production change control
    description: Two people sign off Prod
    scope: {environments: [Prod], projects: [Quotes]}
    approvers: {teams: [Project Stakeholders], users: [carol]}
    minimum: 2
    block_deployment_creator: true
    quorum: [{team: Project Stakeholders, minimum: 1}]
    change_windows:
      - {days: [Mon], start: "09:00", end: "17:00", timezone: Europe/London}
"""
PROJECT = "projects:\n  - name: Quotes\n    process:\n      - {name: Hello, type: noop}\n"


async def _apply(services, text: str):
    async with services.store.transaction() as uow:
        return await apply_document(uow, parse_document(load_text(text)), actor=None, now=services.clock.now())


async def test_policies_are_applied_by_name_and_audited(services):
    first = await _apply(services, PEOPLE + PROJECT + POLICY)
    again = await _apply(services, PEOPLE + PROJECT + POLICY)
    changed = await _apply(services, PEOPLE + PROJECT + POLICY.replace("minimum: 2", "minimum: 3"))
    async with services.store.transaction() as uow:
        [stored] = await uow.policies.list()

    assert "approval policy Production change control" in first.created
    assert "approval policy Production change control" in again.unchanged
    assert "approval policy Production change control" in changed.updated
    assert not any("change_windows" in w for w in first.warnings) and len(stored.change_windows) == 1
    assert stored.minimum == 3 and stored.users == ("carol",) and stored.environments == ("Prod",)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        (
            "teams: [Project Stakeholders]",
            "teams: [Project Stakeholders, Nobody]",
            "approval_policies[0].approvers.teams[1]",
        ),
        ("users: [carol]", "users: [ghost]", "approval_policies[0].approvers.users[0]"),
        ("environments: [Prod]", "environments: [Qa]", "approval_policies[0].scope.environments[0]"),
        ("projects: [Quotes]", "projects: [Nope]", "approval_policies[0].scope.projects[0]"),
        ("minimum: 2", "minimum: 0", "approval_policies[0].minimum"),
        (
            "{team: Project Stakeholders, minimum: 1}",
            "{team: Ghosts, minimum: 1}",
            "approval_policies[0].quorum[0].team",
        ),
        ("scope: {", "scope: {tags: [p c i], ", "approval_policies[0].scope.tags[0]"),
    ],
)
async def test_a_bad_policy_names_its_path_and_nothing_is_written(services, old, new, path):
    with pytest.raises(InvalidInput) as refused:
        await _apply(services, PEOPLE + PROJECT + POLICY.replace(old, new))
    assert refused.value.field == path
    assert refused.value.message.startswith(path)
    async with services.store.transaction() as uow:
        assert await uow.policies.list() == []
        assert await uow.projects.find_by_name("Quotes") is None  # the whole document was rolled back
