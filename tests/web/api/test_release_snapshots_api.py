"""`POST /api/v1/releases/{id}/snapshot-variables` and `tags` on projects, environments and policies, against
the real app on both databases: exact statuses, fields named in errors, nothing written by a refusal."""

from __future__ import annotations

from tests.fixtures.api import api_client
from tests.fixtures.approvals import PEOPLE, run_all, user_named
from tests.fixtures.engine import add_user, apply_yaml, deploy, release_of, task_of

from seaway.domain.states import TaskState

WAIT = """\
      - name: Sign Off
        type: manual-intervention
        instructions: wait
        responsible_teams: [Project Stakeholders]
"""


def project(greeting: str, steps: str = "") -> str:
    return f"""
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    tags: [regulated]
    variables:
      - {{name: Greeting, value: {greeting}}}
    process:
      - {{name: Hello, type: script, script: "echo hello"}}
{steps}"""


POLICY = """
approval_policies:
  - name: Regulated
    scope: {tags: [Regulated]}
    approvers: {teams: [Project Stakeholders]}
"""


async def _admin(services):
    return api_client(services, await add_user(services, "root", is_admin=True))


async def test_a_re_snapshot_answers_what_changed_and_voids_the_pending_request(services):
    await apply_yaml(services, PEOPLE + project("hello") + POLICY)
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    await run_all(services)
    await apply_yaml(services, PEOPLE + project("bonjour") + POLICY)
    async with await _admin(services) as root:
        answered = await root.post(f"/api/v1/releases/Releases-{release.id}/snapshot-variables")
        again = await root.post(f"/api/v1/releases/Releases-{release.id}/snapshot-variables")
        audit = (await root.get("/api/v1/audit-events", params={"action": "release.variables_updated"})).json()["items"]
        request = (await root.get(f"/api/v1/deployments/Deployments-{deployment.id}")).json()
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["changes"] == ['variable Greeting (unscoped) changed: "hello" → "bonjour"']
    assert len(body["change_requests_voided"]) == 1 and body["change_requests_voided"][0].startswith("SEA-")
    assert again.status_code == 200 and again.json()["changes"] == [] and again.json()["change_requests_voided"] == []
    assert len(audit) == 1 and audit[0]["actor"] == "root"
    assert audit[0]["details"]["changes"] == body["changes"]
    assert request["id"] == f"Deployments-{deployment.id}"


async def test_a_deployment_in_progress_is_a_409_naming_it_and_nothing_changes(services):
    await apply_yaml(services, PEOPLE + project("hello", WAIT))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Dev", user=await user_named(services, "dave"))
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.WAITING
    await apply_yaml(services, PEOPLE + project("hola", WAIT))
    async with await _admin(services) as root:
        refused = await root.post(f"/api/v1/releases/Releases-{release.id}/snapshot-variables")
        unknown = await root.post("/api/v1/releases/Releases-999/snapshot-variables")
        bad_id = await root.post("/api/v1/releases/nope/snapshot-variables")
    assert refused.status_code == 409
    assert f"Deployments-{deployment.id}" in refused.json()["error"]["message"]
    assert unknown.status_code == 404 and bad_id.status_code == 422
    async with services.store.transaction() as uow:
        assert [v.value for v in (await uow.releases.get(release.id)).variables] == ["hello"]


async def test_someone_without_release_create_is_refused(services):
    await apply_yaml(services, PEOPLE + project("hello"))
    release = await release_of(services, "Quotes")
    viewer = await add_user(services, "viewer")
    async with api_client(services, viewer) as client:
        refused = await client.post(f"/api/v1/releases/Releases-{release.id}/snapshot-variables")
    assert refused.status_code in (403, 404)


async def test_tags_on_environments_projects_and_policies_through_the_api(services):
    await apply_yaml(services, PEOPLE + project("hello"))
    await release_of(services, "Quotes")
    async with await _admin(services) as root:
        made = await root.post("/api/v1/environments", json={"name": "Staging", "tags": ["PCI", "pci", "eu"]})
        env_id = made.json()["id"]
        kept = await root.put(f"/api/v1/environments/{env_id}", json={"name": "Staging", "description": "d"})
        bad_env = await root.post("/api/v1/environments", json={"name": "Other", "tags": ["two words"]})
        quotes = (await root.get("/api/v1/projects")).json()
        bad_project = await root.post("/api/v1/projects", json={"name": "P2", "tags": ["a", "b c"]})
        policy = await root.post(
            "/api/v1/policies",
            json={"name": "PCI", "scope": {"tags": ["pci"]}, "approvers": {"teams": ["Project Stakeholders"]}},
        )
        bad_policy = await root.post(
            "/api/v1/policies",
            json={"name": "Bad", "scope": {"tags": ["no way"]}, "approvers": {"teams": ["Project Stakeholders"]}},
        )
        previews = {
            name: (
                await root.get(
                    "/api/v1/deployments/preview", params={"project": "Quotes", "release": "0.0.1", "environment": name}
                )
            ).json()
            for name in ("Staging", "Dev")
        }
        environments = (await root.get("/api/v1/environments")).json()
    assert made.status_code == 201 and made.json()["tags"] == ["PCI", "eu"]
    assert kept.status_code == 200 and kept.json()["tags"] == ["PCI", "eu"]  # left out: kept
    assert bad_env.status_code == 422 and bad_env.json()["error"]["field"] == "tags[0]"
    assert [p["tags"] for p in quotes if p["name"] == "Quotes"] == [["regulated"]]
    assert bad_project.status_code == 422 and bad_project.json()["error"]["field"] == "tags[1]"
    assert policy.status_code == 201 and policy.json()["scope"]["tags"] == ["pci"]
    assert bad_policy.status_code == 422 and bad_policy.json()["error"]["field"] == "scope.tags[0]"
    assert previews["Staging"]["gated"] and previews["Staging"]["policy"]["policies"] == ["PCI"]
    assert not previews["Dev"]["gated"]  # Quotes carries "regulated", Dev nothing: "pci" matches neither
    assert not any(e["name"] == "Other" for e in environments)


TWO_POLICIES = """
approval_policies:
  - name: Test needs one
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
  - name: EU needs two
    scope: {tags: [eu]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
"""


async def test_tagging_an_environment_puts_its_pending_requests_to_the_approvers_again(services):
    await apply_yaml(services, PEOPLE + project("hello") + TWO_POLICIES)
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    await run_all(services)
    async with services.store.reading() as uow:
        before = await uow.change_requests.find_for_deployment(deployment.id)
        test = await uow.environments.get_by_name("Test")
    assert before is not None and before.policy.minimum == 1
    async with await _admin(services) as root:
        tagged = await root.put(f"/api/v1/environments/Environments-{test.id}", json={"name": "Test", "tags": ["EU"]})
        body = {"name": "Quotes", "lifecycle": "Dev, Test, and Prod"}
        untouched = await root.put("/api/v1/projects/Quotes", json=body)
    assert tagged.status_code == 200 and untouched.status_code == 200
    assert untouched.json()["tags"] == ["regulated"]  # left out of the PUT: kept
    async with services.store.reading() as uow:
        after = await uow.change_requests.get(before.id)
    assert after.is_pending and after.policy.minimum == 2
    assert after.policy.policies == ("EU needs two", "Test needs one")
    assert "minimum approvals 1 → 2" in after.changes
