"""The accounts repository on both databases: every field round-trips (the secret decrypted again), a save
replaces them all, names are unique whatever the case, an unknown account is NotFound naming it, and
`used_by` names only the targets that reach their machines with that account, in name order."""

from __future__ import annotations

import pytest

from seaway.domain.targets import Account, AccountType, AgentEndpoint, DeploymentTarget, SshEndpoint
from seaway.errors import Conflict, NotFound


def ssh_target(name: str, account: str) -> DeploymentTarget:
    return DeploymentTarget(name, ("Test",), ("web",), SshEndpoint(f"{name}.example", 22, account))


async def test_every_field_round_trips_and_a_save_replaces_them(services):
    async with services.store.transaction() as uow:
        account = await uow.accounts.add(Account("Deploy", AccountType.SSH_KEY, "deploy", "-----KEY-----"))
        assert account.id is not None
        saved = await uow.accounts.save(Account("Ops", AccountType.PASSWORD, "ops", "s3cret", account.id))
    async with services.store.reading() as uow:
        stored = await uow.accounts.get(account.id)
        assert await uow.accounts.get_by_name("OPS") == stored
        assert await uow.accounts.find_by_name("deploy") is None
    assert stored == saved
    assert (stored.type, stored.username, stored.secret) == (AccountType.PASSWORD, "ops", "s3cret")


async def test_accounts_are_listed_by_name_and_deleted(services):
    async with services.store.transaction() as uow:
        for name in ("web", "Api", "db"):
            await uow.accounts.add(Account(name, AccountType.PASSWORD, name, "pw"))
        listed = await uow.accounts.list()
        assert [a.name for a in listed] == ["Api", "db", "web"]
        await uow.accounts.delete(listed[1].id or 0)
        assert [a.name for a in await uow.accounts.list()] == ["Api", "web"]


async def test_used_by_names_only_the_targets_of_that_account_in_name_order(services):
    async with services.store.transaction() as uow:
        deploy = await uow.accounts.add(Account("deploy", AccountType.PASSWORD, "deploy", "pw"))
        other = await uow.accounts.add(Account("other", AccountType.PASSWORD, "other", "pw"))
        for target in (ssh_target("web-02", "deploy"), ssh_target("Web-01", "deploy"), ssh_target("db", "other")):
            await uow.targets.add(target)
        await uow.targets.add(DeploymentTarget("branch", ("Test",), ("web",), AgentEndpoint()))
        assert await uow.accounts.used_by(deploy.id or 0) == ["Web-01", "web-02"]
        assert await uow.accounts.used_by(other.id or 0) == ["db"]
        assert await uow.accounts.used_by(999) == []


async def test_an_unknown_account_is_not_found_and_a_name_is_taken_whatever_the_case(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as by_id:
            await uow.accounts.get(999)
        with pytest.raises(NotFound) as by_name:
            await uow.accounts.get_by_name("Nobody")
        with pytest.raises(NotFound):
            await uow.accounts.delete(999)
        await uow.accounts.add(Account("deploy", AccountType.PASSWORD, "deploy", "pw"))
    assert (by_id.value.entity, by_id.value.id) == ("account", "999")
    assert (by_name.value.entity, by_name.value.id) == ("account", "Nobody")
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.accounts.add(Account("DEPLOY", AccountType.SSH_KEY, "x", "y"))
