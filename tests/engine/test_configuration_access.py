"""Applying a document on both databases: custom roles and team role scopes checked against what exists,
each change authorized by the permission it needs, every change audited, and a refusal writing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.fixtures.engine import SIMPLE_SPACE, apply_yaml

from seaway.bootstrap import Services
from seaway.config.documents import load_text, parse_document
from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.diffs import SENSITIVE_MARK
from seaway.domain.interruptions import Channel
from seaway.domain.permissions import Permission, allows
from seaway.engine.configuration import ApplyResult, apply_document
from seaway.errors import InvalidInput, PermissionDenied
from seaway.store.audit import AuditEvent

PEOPLE = (
    SIMPLE_SPACE
    + """
roles:
  - {name: Release Manager, permissions: [release.create, deployment.create, project.view]}
users:
  - {username: carla, display_name: Carla Contributor}
  - {username: rita, display_name: Rita Release}
teams:
  - name: Contributors
    members: [carla]
    roles: [{role: project-contributor, projects: [Quotes]}]
  - name: Release Managers
    members: [rita]
    roles: [{role: Release Manager, environments: [Test]}]
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    variables:
      - {name: Db Password, value: first-secret, sensitive: true}
      - {name: Greeting, value: hello}
    process:
      - {name: Only, type: noop}
"""
)


async def apply_as(services: Services, username: str | None, text: str) -> ApplyResult:
    async with services.store.transaction() as uow:
        actor = None
        if username is not None:
            actor = Actor(await uow.users.get_by_username(username), Channel.CLI, AuthMethod.API_KEY, ip="192.0.2.7")
        return await apply_document(uow, parse_document(load_text(text)), actor=actor, now=services.clock.now())


async def audit_events(services: Services) -> list[AuditEvent]:
    async with services.store.reading() as uow:
        return await uow.audit.list()


async def refused_apply(services: Services, username: str | None, text: str, kind: type[Exception] = InvalidInput):
    with pytest.raises(kind) as refused:
        await apply_as(services, username, text)
    return refused.value


# -- roles and scopes ---------------------------------------------------------------------------------


async def test_custom_roles_are_upserted_by_name_and_give_their_members_grants(services):
    await apply_yaml(services, PEOPLE)
    async with services.store.reading() as uow:
        [role] = await uow.roles.list()
        rita = await uow.users.get_by_username("rita")
    assert role.name == "Release Manager" and Permission.RELEASE_CREATE in role.permissions
    assert allows(rita, Permission.DEPLOYMENT_CREATE, "Quotes", "Test")
    assert not allows(rita, Permission.DEPLOYMENT_CREATE, "Quotes", "Prod")

    again = await apply_as(services, None, PEOPLE.replace("deployment.create, project.view", "project.view"))
    async with services.store.reading() as uow:
        [changed] = await uow.roles.list()
        rita = await uow.users.get_by_username("rita")
    assert "role Release Manager" in again.updated and changed.id == role.id
    assert not allows(rita, Permission.DEPLOYMENT_CREATE, "Quotes", "Test")


async def test_a_team_role_may_be_scoped_to_a_project_the_same_document_creates(services):
    result = await apply_as(services, None, PEOPLE)
    assert "project Quotes" in result.created and "team Contributors" in result.created


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("{role: project-viewer}, {role: Deployer}", "teams[0].roles[1].role", 'unknown role "Deployer"'),
        ("{role: project-viewer, environments: [Dev, Qa]}", "teams[0].roles[0].environments[1]", 'environment "Qa"'),
        ("{role: project-viewer, projects: [Shop]}", "teams[0].roles[0].projects[0]", 'unknown project "Shop"'),
    ],
)
async def test_an_unknown_role_or_scope_names_its_path_and_nothing_is_written(services, change, field, message):
    document = PEOPLE.replace("[{role: project-contributor, projects: [Quotes]}]", f"[{change}]")

    refused = await refused_apply(services, None, document)

    assert refused.field == field and message in str(refused)
    assert str(refused).startswith(f"{field}: unknown ")
    async with services.store.reading() as uow:
        assert await uow.environments.list() == [] and await uow.roles.list() == [] and await uow.users.list() == []
    assert await audit_events(services) == []


async def test_a_role_defined_in_the_store_earlier_may_be_named_by_a_later_document(services):
    await apply_yaml(services, PEOPLE)
    later = "teams:\n  - {name: Late, members: [rita], roles: [{role: release manager}]}\n"
    assert (await apply_as(services, None, later)).created == ["team Late"]


# -- permissions ------------------------------------------------------------------------------------


async def test_a_project_contributor_may_apply_their_own_project(services):
    await apply_yaml(services, PEOPLE)

    result = await apply_as(services, "carla", PEOPLE.replace("value: hello", "value: hi there"))

    assert result.updated == ["project Quotes"]
    assert len(result.unchanged) > 5  # everything else is as written: it needs nothing


async def test_a_project_contributor_may_not_change_a_team_and_nothing_is_written(services):
    await apply_yaml(services, PEOPLE)
    before = await audit_events(services)
    document = PEOPLE.replace("value: hello", "value: hi there").replace("members: [rita]", "members: [rita, carla]")

    refused = await refused_apply(services, "carla", document, PermissionDenied)

    assert refused.message == 'cannot apply teams[1] (team "Release Managers"): missing permission team.edit'
    assert refused.field == "teams[1]" and refused.id == "team.edit"
    async with services.store.reading() as uow:
        assert [v.value for v in (await uow.projects.get_by_name("Quotes")).variables][1] == "hello"
        assert (await uow.teams.find_by_name("Release Managers")).members == ("rita",)
    assert await audit_events(services) == before


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("environments: [Dev, Test, Prod, Staging]", 'environments[3] (environment "Staging"): missing permission '),
        ("projects:\n  - {name: Shop}", 'projects[0] (project "Shop"): missing permission project.edit for project'),
        ("users:\n  - {username: zed}", 'users[0] (user "zed"): missing permission user.edit'),
        ("roles:\n  - {name: Ops, permissions: []}", 'roles[0] (role "Ops"): missing permission role.edit'),
    ],
)
async def test_each_change_needs_its_own_permission(services, document, message):
    await apply_yaml(services, PEOPLE)
    refused = await refused_apply(services, "carla", document, PermissionDenied)
    assert message in refused.message


async def test_applying_at_all_needs_config_apply(services):
    await apply_yaml(services, PEOPLE)
    refused = await refused_apply(services, "rita", "environments: [Dev, Test, Prod]", PermissionDenied)
    assert refused.message == "missing permission config.apply"


async def test_making_someone_an_administrator_needs_administration(services):
    await apply_yaml(services, PEOPLE)
    user_managers = """
roles:
  - {name: User Manager, permissions: [user.edit, config.apply]}
teams:
  - {name: User Managers, members: [carla], roles: [{role: User Manager}]}
"""
    await apply_yaml(services, user_managers)
    assert (await apply_as(services, "carla", "users:\n  - {username: newbie}\n")).created == ["user newbie"]
    refused = await refused_apply(services, "carla", "users:\n  - {username: newbie, admin: true}\n", PermissionDenied)
    assert refused.message == 'cannot apply users[0] (user "newbie"): missing permission administer'


# -- the audit log --------------------------------------------------------------------------------------


async def test_every_created_or_changed_object_is_audited_with_what_changed(services):
    await apply_yaml(services, PEOPLE)
    created = await audit_events(services)
    assert {e.action for e in created} >= {"environment.created", "role.created", "team.created", "project.created"}
    assert all(e.actor_kind == "system" for e in created)
    quotes = next(e for e in created if e.action == "project.created")
    assert quotes.entity_id.startswith("Projects-") and quotes.project == "Quotes"
    assert quotes.details["sensitive_values"] == SENSITIVE_MARK
    assert "first-secret" not in repr([e.details for e in created])

    changed = PEOPLE.replace("first-secret", "second-secret").replace("value: hello", "value: hi")
    await apply_as(services, "carla", changed)

    [event] = (await audit_events(services))[len(created) :]
    assert event.action == "project.updated" and event.actor == "carla" and event.actor_kind == "user"
    assert (event.channel, event.auth, event.ip) == ("cli", "api-key", "192.0.2.7")
    assert event.details["sensitive_values"] == SENSITIVE_MARK
    variables = event.details["variables"]
    assert isinstance(variables, dict)
    assert [v["value"] for v in variables["before"]] == ["", "hello"]
    assert [v["value"] for v in variables["after"]] == ["", "hi"]
    assert "second-secret" not in repr(event.details) and "first-secret" not in repr(event.details)


async def test_applying_the_same_document_again_audits_nothing(services):
    await apply_yaml(services, PEOPLE)
    before = await audit_events(services)
    result = await apply_as(services, "carla", PEOPLE)
    assert result.created == result.updated == []
    assert await audit_events(services) == before


async def test_a_team_change_records_the_fields_before_and_after(services):
    await apply_yaml(services, PEOPLE)
    await apply_yaml(services, PEOPLE.replace("members: [rita]", "members: [rita, carla]"))
    event = (await audit_events(services))[-1]
    assert event.action == "team.updated" and event.entity_id.startswith("Teams-")
    assert event.details == {"members": {"before": ["rita"], "after": ["rita", "carla"]}}


async def test_a_document_that_disables_a_user_ends_their_sessions_and_says_so_in_the_audit_log(services):
    await apply_yaml(services, PEOPLE)
    now = services.clock.now()
    async with services.store.transaction() as uow:
        carla = await uow.users.get_by_username("carla")
        assert carla.id is not None
        await uow.sessions.add(
            token_hash="s" * 64, user_id=carla.id, csrf_token="c", now=now, expires_at=now + timedelta(hours=1)
        )

    await apply_as(services, None, PEOPLE.replace("{username: carla,", "{username: carla, active: false,"))

    async with services.store.reading() as uow:
        assert await uow.sessions.find_by_hash("s" * 64, now) is None
    disabled = [e for e in await audit_events(services) if e.action == "user.disabled"]
    assert [(e.entity_id, e.details["sessions_ended"]) for e in disabled] == [(f"Users-{carla.id}", 1)]
