"""Accounts and targets on both databases: round trips, secrets encrypted at rest, names unique whatever the
case, a pinned host key replaced only over the one the caller saw, and an account in use kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from tests.fixtures.targets import fingerprint_of, private_key_text

from seaway.domain.targets import Account, AccountType, DeploymentTarget, HealthReport, HealthStatus, SshEndpoint
from seaway.errors import Conflict, NotFound
from seaway.security.secrets import MasterKey
from seaway.store import tables

KEY = private_key_text()
PINNED = fingerprint_of("web-01")
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def web_01(account: str = "deploy-key", **fields: Any) -> DeploymentTarget:
    endpoint = SshEndpoint("10.0.0.5", 2222, account, PINNED)
    return replace(DeploymentTarget("web-01", ("Test", "Prod"), ("web-server", "app"), endpoint), **fields)


async def test_an_accounts_secret_round_trips_and_is_encrypted_in_its_row(services):
    async with services.store.transaction() as uow:
        key_account = await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        password_account = await uow.accounts.add(Account("ops", AccountType.PASSWORD, "ops", "s3cret"))
    async with services.store.reading() as uow:
        assert await uow.accounts.get_by_name("DEPLOY-KEY") == key_account
        assert [a.name for a in await uow.accounts.list()] == ["deploy-key", "ops"]
        assert (await uow.accounts.get(password_account.id or 0)).secret == "s3cret"
        raw = dict((await uow.conn.execute(sa.select(tables.accounts.c.name, tables.accounts.c.secret))).all())
    assert KEY not in raw["deploy-key"] and "OPENSSH" not in raw["deploy-key"]
    assert raw["ops"] != "s3cret"
    assert all(MasterKey.is_encrypted(stored) for stored in raw.values())


async def test_a_target_round_trips_with_its_account_by_name(services):
    async with services.store.transaction() as uow:
        await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        target = await uow.targets.add(web_01())
    assert target.id is not None
    async with services.store.reading() as uow:
        assert await uow.targets.get(target.id) == target
        assert await uow.targets.get_by_name("WEB-01") == target
        assert await uow.targets.list() == [target]
    assert target.health is HealthStatus.UNKNOWN and target.checked_at is None


async def test_renaming_an_account_keeps_its_targets(services):
    async with services.store.transaction() as uow:
        account = await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        target = await uow.targets.add(web_01())
        await uow.accounts.save(replace(account, name="web-key"))
        assert (await uow.targets.get(target.id or 0)).endpoint.account == "web-key"
        assert await uow.accounts.used_by(account.id or 0) == ["web-01"]


async def test_saving_a_target_leaves_the_health_its_last_check_recorded(services):
    async with services.store.transaction() as uow:
        await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        target = await uow.targets.add(web_01())
        assert target.id is not None
        await uow.targets.record_health(target.id, HealthReport(HealthStatus.HAS_WARNINGS, ("low disk",)), AT)
        saved = await uow.targets.save(replace(target, roles=("web-server",), enabled=False))
    assert saved.roles == ("web-server",) and not saved.enabled
    assert (saved.health, saved.health_messages, saved.checked_at) == (HealthStatus.HAS_WARNINGS, ("low disk",), AT)


async def test_a_host_key_is_pinned_only_over_the_one_the_caller_saw(services):
    new_key = fingerprint_of("another key")
    async with services.store.transaction() as uow:
        await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        target = await uow.targets.add(web_01())
        assert target.id is not None
        assert not await uow.targets.pin_fingerprint(target.id, new_key, replacing="")
        assert await uow.targets.pin_fingerprint(target.id, new_key, replacing=PINNED)
        assert (await uow.targets.get(target.id)).endpoint.fingerprint == new_key


async def test_names_are_unique_whatever_the_case(services):
    async with services.store.transaction() as uow:
        await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        await uow.targets.add(web_01())
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.targets.add(web_01(name="WEB-01"))
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.accounts.add(Account("Deploy-Key", AccountType.PASSWORD, "x", "y"))


async def test_an_account_a_target_uses_cannot_be_deleted_and_an_unknown_one_is_not_found(services):
    async with services.store.transaction() as uow:
        account = await uow.accounts.add(Account("deploy-key", AccountType.SSH_KEY, "deploy", KEY))
        await uow.targets.add(web_01())
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.accounts.delete(account.id or 0)
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as unknown:
            await uow.targets.add(web_01(account="nobody", name="web-02"))
        assert unknown.value.entity == "account"
        target = await uow.targets.get_by_name("web-01")
        await uow.targets.delete(target.id or 0)
        await uow.accounts.delete(account.id or 0)
        assert await uow.accounts.list() == [] and await uow.targets.list() == []
