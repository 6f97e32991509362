"""Targets and accounts under /api/v1 on both databases: CRUD in the config document's shape, a host key read
from the machine when a target is added, permissions by every environment a target lists, health checks,
and secrets that never come back in a response or an audit event."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fixtures.approvals import user_named
from tests.fixtures.engine import apply_yaml
from tests.fixtures.targets import MachineProbe, fingerprint_of, private_key_text, services_reaching, space_yaml
from tests.fixtures.web import api_key_for, http_client

from seaway.bootstrap import Services

KEY = private_key_text()
PROD_KEY = fingerprint_of("prod-01")
PEOPLE = """users:
  - {username: dana, display_name: Dana Dev}
  - {username: vera, display_name: Vera Viewer}
teams:
  - {name: Dev managers, members: [dana], roles: [{role: environment-manager, environments: [Dev]}]}
  - {name: Viewers, members: [vera], roles: [{role: environment-viewer, environments: [Dev]}]}
"""
TARGETS = (
    f"  - {{name: prod-01, environments: [Prod], roles: [web], endpoint: {{type: ssh, host: 10.0.1.1, "
    f"account: deploy-key, fingerprint: '{PROD_KEY}'}}}}\n"
    f"  - {{name: shared-01, environments: [Dev, Prod], roles: [db], endpoint: {{type: ssh, host: 10.0.1.2, "
    f"account: ops, fingerprint: '{fingerprint_of('shared')}'}}}}\n"
)


@pytest.fixture
def machines() -> MachineProbe:
    return MachineProbe()


@pytest.fixture
async def services(db_url: str, tmp_path: Path, machines: MachineProbe) -> AsyncIterator[Services]:
    async with services_reaching(db_url, tmp_path / "data", machines) as built:
        await apply_yaml(built, space_yaml(KEY, TARGETS) + PEOPLE)
        yield built


async def client_of(services: Services, username: str) -> httpx.AsyncClient:
    return http_client(services, await api_key_for(services, await user_named(services, username)))


def new_target(name: str = "dev-01", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "environments": ["Dev"],
        "roles": ["web-server"],
        "endpoint": {"type": "ssh", "host": "10.0.0.9", "port": 2222, "account": "deploy-key"},
    }
    return {**body, **fields}


async def test_adding_a_target_reads_and_pins_the_host_key_its_machine_presents(api, machines):
    created = await api.post("/targets", json=new_target())

    assert created.status_code == 201, created.text
    body = created.json()
    assert body == {
        "id": body["id"],
        "name": "dev-01",
        "environments": ["Dev"],
        "roles": ["web-server"],
        "enabled": True,
        "policy": "Default Machine Policy",
        "endpoint": {
            "type": "ssh",
            "communication_style": "Ssh",
            "host": "10.0.0.9",
            "port": 2222,
            "account": "deploy-key",
            "fingerprint": machines.key_of("10.0.0.9", 2222),
        },
        "health": {"status": "Unknown", "messages": [], "checked_at": None},
    }
    assert body["id"].startswith("Machines-")
    assert (await api.get("/targets/dev-01")).json() == body
    assert (await api.get(f"/targets/{body['id']}")).json() == body


async def test_a_machine_that_cannot_be_reached_is_not_added(api, machines):
    machines.down.add(("10.0.0.9", 2222))

    refused = await api.post("/targets", json=new_target())

    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "endpoint.host"
    assert "cannot read the host key of 10.0.0.9:2222" in refused.json()["error"]["message"]
    assert (await api.get("/targets/dev-01")).status_code == 404


async def test_a_given_fingerprint_is_pinned_without_reaching_the_machine(api, machines):
    given = fingerprint_of("given")
    endpoint = {**new_target()["endpoint"], "fingerprint": given}

    created = await api.post("/targets", json=new_target(endpoint=endpoint))

    assert created.json()["endpoint"]["fingerprint"] == given and machines.fingerprints_read == []


@pytest.mark.parametrize(
    ("fields", "field", "status"),
    [
        ({"environments": []}, "environments", 422),
        ({"environments": ["Qa"]}, "environments[0]", 422),
        ({"roles": ["web server"]}, "roles[0]", 422),
        ({"endpoint": {"type": "ssh", "host": "h", "port": 0, "account": "deploy-key"}}, "endpoint.port", 422),
        ({"endpoint": {"type": "ssh", "host": "h", "account": "nobody"}}, "endpoint.account", 422),
        ({"endpoint": {"type": "agent", "host": "h", "account": "ops"}}, "endpoint.host", 422),
        ({"name": "PROD-01"}, "name", 409),
    ],
)
async def test_bad_input_is_refused_naming_the_field_before_any_machine_is_reached(
    api, machines, fields, field, status
):
    refused = await api.post("/targets", json=new_target(**fields))

    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["field"] == field
    assert machines.fingerprints_read == []
    assert [t["name"] for t in (await api.get("/targets")).json()] == ["prod-01", "shared-01"]


async def test_an_update_keeps_the_pinned_key_unless_the_target_moves(api):
    prod = (await api.get("/targets/prod-01")).json()
    body = {k: prod[k] for k in ("name", "environments", "roles", "enabled", "policy")}
    endpoint = {k: prod["endpoint"][k] for k in ("type", "host", "port", "account")}

    kept = await api.put("/targets/prod-01", json={**body, "roles": ["web", "api"], "endpoint": endpoint})
    moved = await api.put(f"/targets/{prod['id']}", json={**body, "endpoint": {**endpoint, "host": "10.0.1.9"}})

    assert kept.status_code == 200, kept.text
    assert kept.json()["roles"] == ["web", "api"] and kept.json()["endpoint"]["fingerprint"] == PROD_KEY
    assert moved.json()["endpoint"]["fingerprint"] is None


async def test_a_dev_manager_sees_and_edits_dev_targets_only(services):
    async with await client_of(services, "dana") as dana:
        listed = (await dana.get("/targets")).json()
        created = await dana.post("/targets", json=new_target())
        into_prod = await dana.post("/targets", json=new_target("prod-02", environments=["Prod"]))
        hidden = await dana.get("/targets/prod-01")
        edit_prod = await dana.put("/targets/prod-01", json=new_target("prod-01", environments=["Prod"]))
        shared = await dana.get("/targets/shared-01")
        edit_shared = await dana.delete("/targets/shared-01")
        moved = await dana.put("/targets/dev-01", json=new_target(environments=["Dev", "Prod"]))
        check_shared = await dana.post("/targets/shared-01/check")
        deleted = await dana.delete("/targets/dev-01")

    assert [t["name"] for t in listed] == ["shared-01"]  # in Dev as well as Prod
    assert created.status_code == 201 and deleted.status_code == 204
    assert hidden.status_code == edit_prod.status_code == 404
    assert shared.status_code == 200
    for refused in (into_prod, edit_shared, moved, check_shared):
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["message"] == 'missing permission target.edit for environment "Prod"'


async def test_a_viewer_sees_dev_targets_and_changes_nothing(services):
    async with await client_of(services, "vera") as vera:
        listed = (await vera.get("/targets")).json()
        created = await vera.post("/targets", json=new_target())
        accounts = await vera.get("/accounts")

    assert [t["name"] for t in listed] == ["shared-01"]
    assert created.status_code == accounts.status_code == 403


async def test_a_check_records_the_health_and_pins_a_key_only_when_trusted(api, machines):
    created = await api.post("/targets", json=new_target(endpoint={**new_target()["endpoint"], "fingerprint": None}))
    assert created.status_code == 201
    moved = {**new_target()["endpoint"], "host": "10.0.0.10"}
    await api.put("/targets/dev-01", json=new_target(endpoint=moved))  # unpinned: another machine

    untrusted = await api.post("/targets/dev-01/check")
    trusted = await api.post("/targets/dev-01/check", json={"trust": True})

    assert untrusted.status_code == 200
    assert untrusted.json()["check"]["status"] == "Unhealthy" and untrusted.json()["check"]["pinned"] is None
    assert "--trust" in untrusted.json()["check"]["messages"][0]
    pinned = machines.key_of("10.0.0.10", 2222)
    assert trusted.json()["check"] == {
        "status": "Healthy",
        "messages": list(machines.report.messages),
        "pinned": pinned,
        "replaced": None,
    }
    assert trusted.json()["health"]["status"] == "Healthy" and trusted.json()["endpoint"]["fingerprint"] == pinned


async def test_accounts_are_listed_without_secrets_and_keep_theirs_when_left_out(api, services):
    listed = (await api.get("/accounts")).json()
    kept = await api.put("/accounts/deploy-key", json={"name": "web-key", "type": "ssh-key", "username": "www"})
    created = await api.post(
        "/accounts", json={"name": "root-pw", "type": "username-password", "username": "root", "password": "hunter2"}
    )

    assert listed == [
        {"id": "Accounts-1", "name": "deploy-key", "type": "ssh-key", "username": "deploy"},
        {"id": "Accounts-2", "name": "ops", "type": "username-password", "username": "ops"},
    ]
    assert kept.status_code == 200 and kept.json()["name"] == "web-key"
    assert created.status_code == 201 and "hunter2" not in created.text
    async with services.store.reading() as uow:
        assert (await uow.accounts.get_by_name("web-key")).secret == KEY
    assert (await api.get("/targets/prod-01")).json()["endpoint"]["account"] == "web-key"


async def test_an_account_refuses_a_bad_key_and_a_type_change_without_a_secret(api):
    bad_key = await api.post("/accounts", json={"name": "k", "type": "ssh-key", "username": "u", "private_key": "x"})
    no_secret = await api.put("/accounts/ops", json={"name": "ops", "type": "ssh-key", "username": "ops"})
    file = await api.post(
        "/accounts", json={"name": "k", "type": "ssh-key", "username": "u", "private_key_file": "/etc/shadow"}
    )

    assert bad_key.status_code == 422 and bad_key.json()["error"]["field"] == "private_key"
    assert no_secret.status_code == 422 and no_secret.json()["error"]["field"] == "private_key"
    assert file.status_code == 422


async def test_an_account_in_use_is_not_deleted(api):
    in_use = await api.delete("/accounts/ops")
    assert in_use.status_code == 409
    assert in_use.json()["error"]["message"] == (
        'the account "ops" is used by "shared-01"; give those targets another account first'
    )
    assert (await api.delete("/targets/shared-01")).status_code == 204
    assert (await api.delete("/accounts/Accounts-2")).status_code == 204


async def test_no_secret_is_in_any_response_or_audit_event(api, services):
    new_key = private_key_text()
    responses = [
        await api.get("/accounts"),
        await api.get("/accounts/deploy-key"),
        await api.put("/accounts/deploy-key", json={"name": "deploy-key", "type": "ssh-key", "username": "deploy",
                                                    "private_key": new_key}),
        await api.put("/accounts/ops", json={"name": "ops", "type": "username-password", "username": "ops",
                                             "password": "n3w-pw"}),
        await api.post("/accounts", json={"name": "x", "type": "username-password", "username": "x",
                                          "password": "x-secret"}),
        await api.get("/targets"),
        await api.post("/targets/prod-01/check"),
    ]  # fmt: skip
    async with services.store.reading() as uow:
        recorded = json.dumps([e.details for e in await uow.audit.list()])
    assert all(r.status_code < 300 for r in responses), [r.text for r in responses]
    for secret in (KEY, new_key, "s3cret-pw", "n3w-pw", "x-secret", "PRIVATE KEY"):
        assert secret not in recorded
        assert all(secret not in r.text for r in responses)
    assert '"secret": "(sensitive value changed)"' in recorded
