"""`accounts:` and `targets:` applied on both databases: created, left alone when unchanged, a pinned host key
kept unless written or moved, each change needing target.edit in every environment of the target, and no
secret in any audit event."""

from __future__ import annotations

import json

import pytest
from tests.fixtures.engine import apply_yaml
from tests.fixtures.targets import fingerprint_of, private_key_text, space_yaml

from seaway.bootstrap import Services
from seaway.config.documents import load_text, parse_document
from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.diffs import SENSITIVE_MARK
from seaway.domain.interruptions import Channel
from seaway.domain.targets import HealthReport, HealthStatus
from seaway.domain.users import Team, TeamRole, User
from seaway.engine.configuration import ApplyResult, apply_document
from seaway.errors import PermissionDenied

KEY = private_key_text()
PINNED = fingerprint_of("web-01")
WEB = "  - {name: web-01, environments: [Test], roles: [web-server], endpoint: {type: ssh, host: 10.0.0.5, %s}}\n"


def web_01(endpoint: str = f"account: deploy-key, fingerprint: '{PINNED}'") -> str:
    return WEB % endpoint


async def apply_as(services: Services, username: str | None, text: str) -> ApplyResult:
    async with services.store.transaction() as uow:
        actor = None
        if username is not None:
            actor = Actor(await uow.users.get_by_username(username), Channel.CLI, AuthMethod.API_KEY)
        return await apply_document(uow, parse_document(load_text(text)), actor=actor, now=services.clock.now())


async def manager_of(services: Services, username: str, *environments: str) -> None:
    async with services.store.transaction() as uow:
        await uow.users.add(User(username, username), services.clock.now())
        roles = (TeamRole("environment-manager", environments=environments), TeamRole("project-contributor"))
        await uow.teams.add(Team(f"{username} team", (username,), roles))


async def test_accounts_and_targets_are_created_then_left_alone(services):
    first = await apply_as(services, None, space_yaml(KEY, web_01()))
    again = await apply_as(services, None, space_yaml(KEY, web_01()))

    assert first.created == ["environment Dev", "environment Test", "environment Prod", "account deploy-key",
                             "account ops", "target web-01"]  # fmt: skip
    assert again.created == again.updated == [] and "target web-01" in again.unchanged
    async with services.store.reading() as uow:
        target = await uow.targets.get_by_name("web-01")
        account = await uow.accounts.get_by_name("deploy-key")
    assert (target.environments, target.roles, target.endpoint.fingerprint) == (("Test",), ("web-server",), PINNED)
    assert account.secret == KEY


async def test_names_are_stored_as_the_environments_and_account_spell_them(services):
    await apply_yaml(services, space_yaml(KEY, WEB.replace("[Test]", "[test]") % "account: DEPLOY-KEY"))
    async with services.store.reading() as uow:
        target = await uow.targets.get_by_name("web-01")
    assert target.environments == ("Test",) and target.endpoint.account == "deploy-key"


async def test_a_target_without_a_fingerprint_is_stored_unpinned_with_a_warning(services):
    result = await apply_as(services, None, space_yaml(KEY, web_01("account: deploy-key")))

    assert any("run `seaway target check web-01 --trust`" in w for w in result.warnings)
    async with services.store.reading() as uow:
        assert (await uow.targets.get_by_name("web-01")).endpoint.fingerprint == ""


async def test_leaving_the_fingerprint_out_keeps_the_pinned_one_and_the_last_health(services):
    await apply_yaml(services, space_yaml(KEY, web_01()))
    async with services.store.transaction() as uow:
        target = await uow.targets.get_by_name("web-01")
        await uow.targets.record_health(target.id or 0, HealthReport(HealthStatus.HEALTHY), services.clock.now())

    result = await apply_as(services, None, space_yaml(KEY, web_01("account: deploy-key")))

    assert "target web-01" in result.unchanged and not result.warnings
    async with services.store.reading() as uow:
        kept = await uow.targets.get_by_name("web-01")
    assert kept.endpoint.fingerprint == PINNED and kept.health is HealthStatus.HEALTHY


async def test_moving_a_target_to_another_host_unpins_its_key(services):
    await apply_yaml(services, space_yaml(KEY, web_01()))

    result = await apply_as(
        services, None, space_yaml(KEY, web_01("account: deploy-key").replace("10.0.0.5", "10.0.0.6"))
    )

    assert result.updated == ["target web-01"] and result.warnings
    async with services.store.reading() as uow:
        assert (await uow.targets.get_by_name("web-01")).endpoint.fingerprint == ""


async def test_changes_are_audited_without_secrets(services):
    await apply_yaml(services, space_yaml(KEY, web_01()))
    changed_key = private_key_text()
    await apply_yaml(services, space_yaml(changed_key, web_01()).replace("s3cret-pw", "n3w-pw"))

    async with services.store.reading() as uow:
        events = await uow.audit.list()
    recorded = json.dumps([e.details for e in events])
    for secret in (KEY, changed_key, "s3cret-pw", "n3w-pw", "PRIVATE KEY"):
        assert secret not in recorded
    updated = [e for e in events if e.action == "account.updated"]
    assert [e.entity_id for e in updated] == ["Accounts-1", "Accounts-2"]
    assert all(e.details["sensitive_values"] == SENSITIVE_MARK for e in updated)
    created = next(e for e in events if e.action == "target.created")
    assert created.entity_id == "Machines-1"
    assert created.details["endpoint"]["after"]["fingerprint"] == PINNED


async def test_changing_a_target_needs_target_edit_in_every_environment_it_is_or_was_in(services):
    await apply_yaml(services, space_yaml(KEY, web_01()))
    await manager_of(services, "tess", "Test")
    await manager_of(services, "petra", "Prod")

    moved = space_yaml(KEY, web_01().replace("[Test]", "[Test, Prod]"))
    with pytest.raises(PermissionDenied) as refused:
        await apply_as(services, "tess", moved)
    assert refused.value.field == "targets[0]"
    assert 'missing permission target.edit for environment "Prod"' in refused.value.message
    with pytest.raises(PermissionDenied):
        await apply_as(services, "petra", moved)  # the target is in Test now
    async with services.store.reading() as uow:
        assert (await uow.targets.get_by_name("web-01")).environments == ("Test",)

    await apply_as(services, "tess", space_yaml(KEY, web_01().replace("[web-server]", "[web-server, api]")))
    async with services.store.reading() as uow:
        assert (await uow.targets.get_by_name("web-01")).roles == ("web-server", "api")
