"""Scoped roles in the API: the tutorial's two deployers, filtered lists, 404s that leak nothing, 403s that
name the permission and scope."""

from __future__ import annotations

from tests.fixtures.approvals import run_all, user_named
from tests.fixtures.deployers import PROJECT, REFUSED_DEV, REFUSED_PROD, SPACE
from tests.fixtures.engine import apply_yaml
from tests.fixtures.web import api_key_for, http_client


async def client_of(services, username: str):
    return http_client(services, await api_key_for(services, await user_named(services, username)))


async def a_release(api) -> str:
    release = await api.post(f"/projects/{PROJECT}/releases", json={})
    assert release.status_code == 201, release.text
    return release.json()["id"]


async def test_the_internal_deployer_deploys_to_dev_and_test_but_not_prod(services, api):
    await apply_yaml(services, SPACE)
    release = await a_release(api)

    async with await client_of(services, "internaldeployer") as internal:
        dev = await internal.post(f"/releases/{release}/deployments", json={"environment": "Dev"})
        test = await internal.post(f"/releases/{release}/deployments", json={"environment": "Test"})
        await run_all(services)
        prod = await internal.post(f"/releases/{release}/deployments", json={"environment": "prod"})

    assert dev.status_code == test.status_code == 201
    assert prod.status_code == 403
    assert prod.json()["error"] == {"code": "forbidden", "message": REFUSED_PROD, "field": None}


async def test_the_production_deployer_deploys_to_prod_only(services, api):
    await apply_yaml(services, SPACE)
    release = await a_release(api)
    assert (await api.post(f"/releases/{release}/deployments", json={"environment": "Test"})).status_code == 201
    await run_all(services)

    async with await client_of(services, "productiondeployer") as production:
        dev = await production.post(f"/releases/{release}/deployments", json={"environment": "Dev"})
        prod = await production.post(f"/releases/{release}/deployments", json={"environment": "Prod"})

    assert dev.status_code == 403 and dev.json()["error"]["message"] == REFUSED_DEV
    assert prod.status_code == 201
    assert prod.json()["environment"] == "Prod"


async def test_a_refused_deployment_is_audited_and_writes_nothing_else(services, api):
    await apply_yaml(services, SPACE)
    release = await a_release(api)
    async with services.store.reading() as uow:
        before = len(await uow.audit.list())

    async with await client_of(services, "internaldeployer") as internal:
        refused = await internal.post(f"/releases/{release}/deployments", json={"environment": "Prod"})
        read_refused = await internal.get("/teams")

    assert refused.status_code == read_refused.status_code == 403
    async with services.store.reading() as uow:
        events = (await uow.audit.list())[before:]
        assert await uow.deployments.list_for_release(int(release.rpartition("-")[2])) == []
    [event] = events  # the refused read wrote nothing
    assert (event.action, event.actor, event.channel, event.auth) == (
        "permission.refused",
        "internaldeployer",
        "api",
        "api-key",
    )
    assert (event.entity, event.entity_id, event.project, event.environment) == (
        "permission",
        "deployment.create",
        PROJECT,
        "Prod",
    )
    assert event.details["permission"] == "deployment.create"
    assert event.details["message"] == REFUSED_PROD
    assert event.details["path"] == f"/api/v1/releases/{release}/deployments"


TWO_OF_FIVE = """
environments: [Dev, Test, Prod]
users:
  - {username: viewer}
teams:
  - name: Viewers
    members: [viewer]
    roles: [{role: project-viewer, projects: [Two, Four]}]
projects:
""" + "".join(
    f"  - {{name: {name}, process: [{{name: Gate, type: noop}}]}}\n" for name in ("One", "Two", "Three", "Four", "Five")
)


async def test_a_user_who_may_see_two_of_five_projects_gets_two(services, api):
    await apply_yaml(services, TWO_OF_FIVE)

    async with await client_of(services, "viewer") as viewer:
        projects = await viewer.get("/projects")
        environments = await viewer.get("/environments")

    assert projects.status_code == 200
    assert [p["name"] for p in projects.json()] == ["Two", "Four"]
    assert [e["name"] for e in environments.json()] == ["Dev", "Test", "Prod"]  # viewers see every environment


async def test_a_project_one_may_not_see_is_the_404_of_an_unknown_one(services, api):
    await apply_yaml(services, TWO_OF_FIVE)
    one = (await api.get("/projects/One")).json()["id"]

    async with await client_of(services, "viewer") as viewer:
        hidden_by_id = await viewer.get(f"/projects/{one}")
        unknown_by_id = await viewer.get("/projects/Projects-99")
        hidden_by_name = await viewer.get("/projects/One")
        unknown_by_name = await viewer.get("/projects/Eleven")
        hidden_release = await viewer.post("/projects/One/releases", json={})

    assert hidden_by_id.status_code == unknown_by_id.status_code == 404
    assert hidden_by_id.json()["error"]["message"] == unknown_by_id.json()["error"]["message"].replace("99", one[9:])
    assert (
        hidden_by_name.json()["error"]["message"].replace("One", "Eleven") == unknown_by_name.json()["error"]["message"]
    )
    assert hidden_release.status_code == 404


async def test_a_refused_edit_of_a_visible_project_is_a_403_naming_the_permission_and_project(services, api):
    contributor_of_two = "roles: [{role: project-viewer}, {role: project-contributor, projects: [Two]}]"
    await apply_yaml(
        services, TWO_OF_FIVE.replace("roles: [{role: project-viewer, projects: [Two, Four]}]", contributor_of_two)
    )

    async with await client_of(services, "viewer") as viewer:
        allowed = await viewer.put("/projects/Two/process", json={"steps": [{"name": "Gate", "type": "noop"}]})
        refused = await viewer.put("/projects/Four/process", json={"steps": []})

    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == 'missing permission process.edit for project "Four"'


async def test_without_the_permission_anywhere_the_403_names_only_the_permission(services, api):
    await apply_yaml(services, TWO_OF_FIVE)

    async with await client_of(services, "viewer") as viewer:
        refused = await viewer.put("/projects/Two/process", json={"steps": []})

    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "missing permission process.edit"


async def test_a_contributor_may_not_rename_a_project_out_of_their_scope_nor_create_one(services, api):
    await apply_yaml(services, TWO_OF_FIVE.replace("project-viewer", "project-contributor"))

    async with await client_of(services, "viewer") as contributor:
        renamed = await contributor.put("/projects/Two", json={"name": "Six"})
        kept = await contributor.put("/projects/Two", json={"name": "Two", "description": "the second"})
        created = await contributor.post("/projects", json={"name": "Seven"})

    assert renamed.status_code == 403
    assert renamed.json()["error"]["message"] == 'missing permission project.edit for project "Six"'
    assert kept.status_code == 200
    assert created.status_code == 403
    assert created.json()["error"]["message"] == "missing permission project.edit for every project"
    assert [p["name"] for p in (await api.get("/projects")).json()] == ["One", "Two", "Three", "Four", "Five"]


async def test_tasks_and_deployments_are_listed_only_where_one_may_see_them(services, api):
    await apply_yaml(services, SPACE.replace("{role: project-viewer}", "{role: project-viewer, environments: [Test]}"))
    release = await a_release(api)
    for environment in ("Dev", "Test"):
        assert (await api.post(f"/releases/{release}/deployments", json={"environment": environment})).is_success
    everything = (await api.get("/tasks")).json()

    async with await client_of(services, "productiondeployer") as production:
        tasks = (await production.get("/tasks")).json()
        deployments = (await production.get(f"/releases/{release}/deployments")).json()
        hidden = await production.get(f"/tasks/{everything[1]['id']}")  # the Dev one, older

    assert [t["id"] for t in tasks] == [everything[0]["id"]]
    assert [d["environment"] for d in deployments] == ["Test"]
    assert hidden.status_code == 404
    assert hidden.json()["error"]["message"] == f"task {everything[1]['id'][12:]} does not exist"
