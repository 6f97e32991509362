"""Every change through the API leaves one audit event in its transaction: who, what, where, and the fields
it changed before and after; sensitive values only ever as "changed"."""

from __future__ import annotations

from tests.fixtures.engine import apply_yaml, project_yaml

from seaway.domain.diffs import SENSITIVE_MARK

QUOTES = project_yaml(
    "Quotes",
    "      - {name: Say, type: script, script: echo hello}\n",
    "      - {name: Port, value: '8081'}\n      - {name: Password, value: s3cret, sensitive: true}\n",
)


async def events(services, action: str | None = None):
    async with services.store.reading() as uow:
        return await uow.audit.list(action=action)


async def test_create_update_and_delete_record_the_fields_they_changed(services, api):
    created = (await api.post("/environments", json={"name": "Staging", "description": "before"})).json()
    await api.put(f"/environments/{created['id']}", json={"name": "Staging", "description": "after"})
    await api.delete(f"/environments/{created['id']}")

    made, changed, deleted = await events(services)
    assert [e.action for e in (made, changed, deleted)] == [
        "environment.created",
        "environment.updated",
        "environment.deleted",
    ]
    assert {(e.entity, e.entity_id, e.environment, e.actor, e.channel, e.auth) for e in (made, changed, deleted)} == {
        ("environment", created["id"], "Staging", "admin", "api", "api-key")
    }
    assert made.details["changes"] == {
        "id": {"after": created["id"]},
        "name": {"after": "Staging"},
        "sort_order": {"after": 0},
        "description": {"after": "before"},
        "tags": {"after": []},
    }
    assert changed.details["changes"] == {"description": {"before": "before", "after": "after"}}
    assert deleted.details["changes"]["name"] == {"before": "Staging"}


async def test_a_project_update_records_only_what_changed_and_the_project(services, api):
    await apply_yaml(services, QUOTES)

    response = await api.put(
        "/projects/Quotes", json={"name": "Quotes", "lifecycle": "Dev, Test, and Prod", "description": "new"}
    )

    assert response.status_code == 200
    [event] = await events(services, "project.updated")
    assert (event.project, event.entity_id) == ("Quotes", response.json()["id"])
    assert event.details["changes"] == {"description": {"before": "", "after": "new"}}


async def test_variables_record_sensitive_values_only_as_changed(services, api):
    await apply_yaml(services, QUOTES)
    kept = {"name": "Password", "value": None, "sensitive": True}

    unchanged = await api.put(
        "/projects/Quotes/variables", json={"variables": [{"name": "Port", "value": "8081"}, kept]}
    )
    resent = await api.put(
        "/projects/Quotes/variables",
        json={"variables": [{"name": "Port", "value": "8082"}, {**kept, "value": "s3cret"}]},
    )
    changed = await api.put(
        "/projects/Quotes/variables",
        json={"variables": [{"name": "Port", "value": "8082"}, {**kept, "value": "n3w-s3cret"}]},
    )

    assert unchanged.status_code == resent.status_code == changed.status_code == 200
    first, second, third = await events(services, "variables.updated")
    assert first.details["changes"] == {}  # a sensitive value left out is kept, and is no change
    assert second.details["changes"] == {  # the same secret sent again compares equal to the stored one
        "variable Port": {
            "before": {"name": "Port", "value": "8081", "scope": {}, "sensitive": False},
            "after": {"name": "Port", "value": "8082", "scope": {}, "sensitive": False},
        }
    }
    assert third.details["changes"] == {"variable Password": SENSITIVE_MARK}
    assert all("s3cret" not in str(e.details) for e in await events(services))
    assert third.project == "Quotes" and third.entity == "project"


async def test_the_process_records_each_step_it_changed(services, api):
    await apply_yaml(services, QUOTES)

    await api.put(
        "/projects/Quotes/process",
        json={"steps": [{"name": "Say", "type": "script", "script": "echo bye"}, {"name": "Wait", "type": "noop"}]},
    )

    [event] = await events(services, "process.updated")
    assert event.details["changes"] == {
        "steps": {"before": ["Say"], "after": ["Say", "Wait"]},
        "step Say": {
            "before": {"name": "Say", "type": "script", "script": "echo hello"},
            "after": {"name": "Say", "type": "script", "script": "echo bye"},
        },
        "step Wait": {"before": None, "after": {"name": "Wait", "type": "noop"}},
    }


async def test_a_release_a_deployment_and_a_cancel_are_recorded_where_they_happen(services, api):
    await apply_yaml(services, QUOTES)
    cli = {"X-Seaway-Client": "cli"}

    release = (await api.post("/projects/Quotes/releases", json={"version": "1.2.3"}, headers=cli)).json()
    deployment = (await api.post(f"/releases/{release['id']}/deployments", json={"environment": "Test"})).json()
    canceled = await api.post(f"/tasks/{deployment['task_id']}/cancel")

    assert canceled.status_code == 200
    [made] = await events(services, "release.created")
    [deployed] = await events(services, "deployment.created")
    [cancel] = await events(services, "task.cancel_requested")
    assert (made.entity_id, made.project, made.environment, made.channel) == (release["id"], "Quotes", None, "cli")
    assert made.details == {"version": "1.2.3", "notes": "", "channel": "Default", "packages": {}}
    assert (deployed.entity_id, deployed.project, deployed.environment) == (deployment["id"], "Quotes", "Test")
    assert deployed.details["task_id"] == deployment["task_id"]
    assert (cancel.entity_id, cancel.project, cancel.environment) == (deployment["task_id"], "Quotes", "Test")
    assert cancel.details == {"state": "queued", "deployment_id": deployment["id"]}


async def test_a_write_refused_by_the_engine_records_no_change(services, api):
    await api.post("/environments", json={"name": "Dev"})

    taken = await api.post("/environments", json={"name": "dev"})

    assert taken.status_code == 409
    assert [e.action for e in await events(services)] == ["environment.created"]
