"""GET /projects/{id}/variables/preview: what each variable resolves to for an environment and step."""

from __future__ import annotations

from tests.fixtures.engine import project_yaml

VARIABLES = """\
      - {name: App Port, value: "8081", scope: {environment: [Dev]}}
      - {name: App Port, value: "8082", scope: {environment: [Test]}}
      - {name: Url, value: "http://localhost:#{App Port}/#{Octopus.Environment.Name | ToLower}"}
      - {name: Password, value: "pa55word", sensitive: true}
      - {name: Dsn, value: "user:#{Password}@db"}
      - {name: Broken, value: "#{if Open}never closed"}
      - {name: Step Only, value: "scoped", scope: {step: [Deploy]}}
"""


async def test_the_preview_resolves_scopes_and_templates_and_masks_secrets(services, api):
    document = project_yaml("Quotes", "      - {name: Deploy, type: noop}\n", VARIABLES)
    await api.post("/config/apply", content=document, headers={"Content-Type": "application/yaml"})

    body = (await api.get("/projects/Quotes/variables/preview", params={"environment": "Test"})).json()
    rows = {r["name"]: r for r in body["variables"]}
    assert rows["App Port"]["evaluated"] == "8082"
    assert rows["Url"]["evaluated"] == "http://localhost:8082/test"
    assert rows["Password"] == {
        "name": "Password",
        "value": "********",
        "evaluated": "********",
        "error": None,
        "sensitive": True,
    }
    assert rows["Dsn"]["evaluated"] == "user:********@db"
    assert rows["Broken"]["error"]
    assert "Step Only" not in rows

    with_step = (
        await api.get("/projects/Quotes/variables/preview", params={"environment": "Dev", "step": "Deploy"})
    ).json()
    rows = {r["name"]: r for r in with_step["variables"]}
    assert rows["Step Only"]["evaluated"] == "scoped"
    assert rows["Url"]["evaluated"] == "http://localhost:8081/dev"


async def test_the_preview_names_a_bad_environment_or_step(services, api):
    document = project_yaml("Quotes", "      - {name: Deploy, type: noop}\n", VARIABLES)
    await api.post("/config/apply", content=document, headers={"Content-Type": "application/yaml"})
    bad_env = await api.get("/projects/Quotes/variables/preview", params={"environment": "Qa"})
    assert bad_env.status_code == 422 and bad_env.json()["error"]["field"] == "environment"
    bad_step = await api.get("/projects/Quotes/variables/preview", params={"environment": "Dev", "step": "Nope"})
    assert bad_step.status_code == 422 and bad_step.json()["error"]["field"] == "step"
