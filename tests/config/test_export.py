"""`seaway export` round trip: the document it writes, applied to the server it came from, changes nothing,
for every kind of object `apply` knows; secrets are written as references, never in clear."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import apply_yaml
from tests.fixtures.targets import fingerprint_of, private_key_text

from seaway.config.documents import load_text, parse_document
from seaway.config.export import to_yaml
from seaway.domain.grants import Grant
from seaway.domain.users import User
from seaway.engine.configuration import apply_document
from seaway.engine.exports import space_export
from seaway.errors import InvalidInput, NotFound

KEY = private_key_text()
INDENTED_KEY = "".join(f"      {line}\n" for line in KEY.splitlines())
SECRETS = ("s3cret-db", "feed-pa55", "ops-pa55", "lib-t0ken", KEY.splitlines()[1])

EVERYTHING = f"""
environments: [Dev, Test, Prod]
lifecycles:
  - name: Dev, Test, and Prod
    phases:
      - {{name: Dev, environments: [Dev], optional: true, automatic: true}}
      - {{name: Test, environments: [Test], minimum: 1}}
      - {{name: Prod, environments: [Prod]}}
  - name: Hotfix
    phases:
      - {{name: Prod, environments: [Prod]}}
roles:
  - {{name: Release Viewer, description: Reads releases, permissions: [release.view, project.view]}}
users:
  - {{username: alice, display_name: Alice Approver, email: alice@example.org}}
  - {{username: robot, service_account: true}}
  - {{username: gone, active: false}}
  - {{username: root, admin: true}}
teams:
  - name: Stakeholders
    members: [alice]
    roles: [{{role: project-deployer, environments: [Test], projects: [Quotes]}}, {{role: Release Viewer}}]
library_variable_sets:
  - name: Shared
    variables:
      - {{name: Region, value: eu-west}}
      - {{name: Token, value: lib-t0ken, sensitive: true}}
feeds:
  - {{name: Nexus, type: nuget, url: "https://nexus.example/v3/index.json", username: ci, password: feed-pa55}}
accounts:
  - name: deploy-key
    type: ssh-key
    username: deploy
    private_key: |
{INDENTED_KEY}  - {{name: ops, type: username-password, username: ops, password: ops-pa55}}
targets:
  - name: web-01
    environments: [Test, Prod]
    roles: [web-server]
    endpoint: {{type: ssh, host: 10.0.0.5, port: 2222, account: deploy-key, fingerprint: "{fingerprint_of("web-01")}"}}
  - {{name: web-02, environments: [Dev], roles: [web-server], enabled: false,
     endpoint: {{type: ssh, host: web-02.example, account: ops}}}}
  - {{name: agent-01, environments: [Test], roles: [web-server], endpoint: {{type: agent}}, policy: Edge machines}}
machine_policies:
  - {{name: Default Machine Policy, health_check: {{every: 2h}}}}
  - {{name: Edge machines, health_check: {{every: 1h30m}}, connectivity: may-be-offline}}
  - {{name: Quiet}}
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    description: The quotes site
    include: [Shared]
    variables:
      - {{name: Port, value: "8081"}}
      - {{name: Port, value: "80", scope: {{environments: [Prod], steps: [Deploy]}}}}
      - {{name: Db Password, value: s3cret-db, sensitive: true, scope: {{environment: Prod}}}}
      - {{name: Db Password, value: dev-db, sensitive: true}}
      - {{name: Ticket, value: "", prompt: {{label: Change ticket, description: The CAB number, required: true}}}}
    channels:
      - name: Hotfix
        lifecycle: Hotfix
        rules: [{{step: Deploy, versions: "[1.0,2.0)", tag: "^$"}}]
    release_on_push: {{step: Deploy}}
    connectivity: {{skip_unavailable: true, allow_no_targets: true}}
    process:
      - {{name: Deploy, type: deploy-package, package: {{id: RandomQuotes}}, roles: [web-server]}}
      - {{name: Smoke, type: script, script: "echo #{{Port}}", start: with-previous, enabled: false}}
      - name: Sign Off
        type: manual-intervention
        instructions: Check it
        responsible_teams: [Stakeholders]
        environments: {{only: [Prod]}}
      - {{name: On Failure, type: script, script: "echo failed", run_condition: failure, required: true}}
      - {{name: Maybe, type: script, script: "echo maybe", run_condition: {{variable: "#{{Port}}"}},
         environments: {{skip: [Dev]}}}}
      - {{name: Everywhere, type: script, script: "echo all", run_on: targets, roles: [web-server], max_parallelism: 2}}
      - name: Roll
        rolling: {{window: 2}}
        roles: [web-server]
        environments: {{skip: [Dev]}}
        steps:
          - {{name: Drain, type: script, script: "echo drain", enabled: false}}
          - {{name: Upgrade, type: noop, required: true}}
  - name: Empty
approval_policies:
  - name: Production change control
    description: Two people sign off on Prod
    scope: {{environments: [Prod], projects: [Quotes]}}
    approvers: {{teams: [Stakeholders], users: [robot]}}
    minimum: 2
    quorum: [{{team: Stakeholders, minimum: 1}}]
  - name: Anyone on the team
    approvers: {{}}
    block_deployment_creator: false
    quorum: [{{team: Stakeholders, minimum: 1}}]
"""

ADMIN = User("exporter", is_admin=True)


async def export_text(services, **options) -> str:
    async with services.store.reading() as uow:
        return to_yaml(await space_export(uow, ADMIN, **options))


async def apply_text(services, text: str):
    async with services.store.transaction() as uow:
        return await apply_document(uow, parse_document(load_text(text)), actor=None, now=services.clock.now())


async def test_applying_the_export_changes_nothing_and_holds_no_secret(services):
    await apply_yaml(services, EVERYTHING)

    exported = await export_text(services)
    result = await apply_text(services, exported)

    assert (result.created, result.updated) == ([], [])
    kinds = {item.split(" ", 1)[0] for item in result.unchanged}
    assert {"environment", "lifecycle", "role", "user", "team", "project", "feed", "account", "target"} <= kinds
    for label in ("library variable set", "machine policy", "approval policy"):
        assert any(item.startswith(label) for item in result.unchanged), label
    assert await export_text(services) == exported
    for secret in SECRETS:
        assert secret not in exported
    assert "dev-db" not in exported
    assert exported.count("stored: true") == 6  # two variables, one set's token, a feed, two accounts


async def test_the_newer_kinds_are_written_as_apply_reads_them(services):
    await apply_yaml(services, EVERYTHING)

    exported = load_text(await export_text(services))

    assert exported["machine_policies"] == [
        {"name": "Default Machine Policy", "health_check": {"every": "2h"}},
        {"name": "Edge machines", "health_check": {"every": "1h30m"}, "connectivity": "may-be-offline"},
        {"name": "Quiet"},
    ]
    assert {t["name"]: t.get("policy") for t in exported["targets"]} == {
        "agent-01": "Edge machines",
        "web-01": None,
        "web-02": None,
    }
    quotes = exported["projects"][0]
    assert quotes["connectivity"] == {"allow_no_targets": True, "skip_unavailable": True}
    assert "connectivity" not in exported["projects"][1]
    everywhere, roll = quotes["process"][-2:]
    assert everywhere["max_parallelism"] == 2
    assert roll["type"] == "rolling" and roll["rolling"] == {"window": 2}
    assert roll["steps"] == [
        {"name": "Drain", "type": "script", "enabled": False, "script": "echo drain"},
        {"name": "Upgrade", "type": "noop", "required": True},
    ]
    assert exported["approval_policies"] == [
        {
            "name": "Anyone on the team",
            "approvers": {},
            "block_deployment_creator": False,
            "quorum": [{"team": "Stakeholders", "minimum": 1}],
        },
        {
            "name": "Production change control",
            "description": "Two people sign off on Prod",
            "scope": {"projects": ["Quotes"], "environments": ["Prod"]},
            "approvers": {"teams": ["Stakeholders"], "users": ["robot"]},
            "minimum": 2,
            "quorum": [{"team": "Stakeholders", "minimum": 1}],
        },
    ]


async def test_the_default_machine_policy_is_written_only_when_changed(services):
    await apply_yaml(services, "machine_policies: [{name: Default Machine Policy}]\n")

    exported = load_text(await export_text(services))

    assert "machine_policies" not in (exported or {})


async def test_policies_are_written_only_for_whom_may_view_them(services):
    await apply_yaml(services, EVERYTHING)
    test_targets = Grant("viewer", "Viewers", frozenset({"target.view"}), environments=frozenset({"test"}))
    viewer = User("viewer", grants=(test_targets,))

    async with services.store.reading() as uow:
        exported = await space_export(uow, viewer)

    assert [t["name"] for t in exported["targets"]] == ["agent-01", "web-01"]
    # The policies its targets name ("Quiet" is no one's); the default one as it is set here.
    assert [p["name"] for p in exported["machine_policies"]] == ["Default Machine Policy", "Edge machines"]
    assert "approval_policies" not in exported


async def test_one_project_is_exported_alone(services):
    await apply_yaml(services, EVERYTHING)

    exported = load_text(await export_text(services, project="quotes"))

    assert list(exported) == ["projects"] and [p["name"] for p in exported["projects"]] == ["Quotes"]
    with pytest.raises(NotFound):
        await export_text(services, project="Nope")


async def test_a_reference_the_server_cannot_resolve_names_its_path(services):
    await apply_yaml(services, EVERYTHING)
    exported = (await export_text(services, project="Quotes")).replace("name: Quotes", "name: Quotes Copy")

    with pytest.raises(InvalidInput) as refused:
        await apply_text(services, exported)

    assert refused.value.field == "projects[0].variables[2].value"
    assert "this server does not hold" in refused.value.message


async def test_a_reference_cannot_be_written_by_hand_elsewhere(services):
    with pytest.raises(InvalidInput) as refused:
        await apply_text(services, "projects:\n  - {name: X, variables: [{name: A, value: {stored: maybe}}]}\n")

    assert refused.value.field == "projects[0].variables[0].value.stored"


async def test_the_api_route_gives_the_document_the_caller_may_view(services, api):
    await apply_yaml(services, EVERYTHING)

    whole = await api.get("/export")
    one = await api.get("/export", params={"project": "Quotes"})
    unknown = await api.get("/export", params={"project": "Nope"})

    assert whole.status_code == one.status_code == 200
    assert {"environments", "projects", "teams", "targets"} <= set(whole.json())
    assert [p["name"] for p in one.json()["projects"]] == ["Quotes"]
    assert unknown.status_code == 404
    assert "s3cret-db" not in whole.text and "ops-pa55" not in whole.text
