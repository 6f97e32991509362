"""A read endpoint checks the caller's key in the same read-only snapshot it answers from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi.responses import JSONResponse
from sqlalchemy import event
from tests.fixtures.engine import apply_yaml, project_yaml
from tests.fixtures.web import api_key_for, http_client

from seaway.domain.users import User
from seaway.web.api.representations import project_json

PROJECT = project_yaml("Quotes", "      - {name: Hello, type: noop}\n")
STEPS = "      - {name: Hello, type: noop}\n      - {name: Bye, type: noop, required: true}\n"
VARIABLES = "      - {name: Greeting, value: hello}\n      - {name: Password, value: s3cret, sensitive: true}\n"
LIBRARY = """library_variable_sets:
  - name: Common
    variables:
      - {name: Shared, value: from-the-library}
projects:"""


@contextmanager
def transactions() -> Iterator[list[str]]:
    """Every transaction begun on any engine (SQLite reads have an engine of their own)."""
    begun: list[str] = []

    def on_begin(conn: Any) -> None:
        begun.append(str(conn.engine.url))

    event.listen(sa.Engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(sa.Engine, "begin", on_begin)


async def a_finished_task(services, api) -> str:
    applied = await api.post("/config/apply", content=PROJECT, headers={"Content-Type": "application/yaml"})
    assert applied.status_code == 200
    release = (await api.post("/projects/Quotes/releases", json={})).json()
    deployment = (await api.post(f"/releases/{release['id']}/deployments", json={"environment": "Dev"})).json()
    await services.worker.run_until_idle()
    return str(deployment["task_id"])


async def test_a_task_is_read_in_one_transaction_with_its_key_check(services, api):
    task_id = await a_finished_task(services, api)
    with transactions() as begun:
        response = await api.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    assert response.json()["state"] == "success"
    assert [step["state"] for step in response.json()["steps"]] == ["succeeded"]
    assert len(begun) == 1


async def test_a_request_without_a_key_is_refused_before_any_transaction(services, api):
    task_id = await a_finished_task(services, api)
    async with http_client(services) as anonymous:
        with transactions() as begun:
            response = await anonymous.get(f"/tasks/{task_id}")
    assert response.status_code == 401
    assert begun == []


async def test_a_task_read_refuses_wrong_keys_and_disabled_users(services, api):
    task_id = await a_finished_task(services, api)
    async with services.store.transaction() as uow:
        gone = await uow.users.add(User("gone", active=False), services.clock.now())
    async with http_client(services, "API-WRONG") as wrong:
        refused = await wrong.get(f"/tasks/{task_id}")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    async with http_client(services, await api_key_for(services, gone)) as disabled:
        refused_too = await disabled.get(f"/tasks/{task_id}")
    assert refused_too.status_code == 401
    assert "disabled" in refused_too.json()["error"]["message"]
    assert (await api.get("/tasks/ServerTasks-999")).status_code == 404


OFF = {"allow_no_targets": False, "exclude_unhealthy": False, "skip_unavailable": False}


async def test_the_project_list_is_one_transaction_and_what_whole_projects_represent(services, api):
    document = project_yaml("Quotes", STEPS, VARIABLES).replace("projects:", LIBRARY)
    document = document.replace("    lifecycle:", "    description: Says hello\n    include: [Common]\n    lifecycle:")
    document += "  - name: Bare\n    process:\n      - {name: Only, type: noop}\n"
    await apply_yaml(services, document)
    async with services.store.reading() as uow:
        whole = [project_json(project) for project in await uow.projects.list()]

    await api.get("/users/me")  # the key's first use is recorded (then at most once a minute) before counting
    with transactions() as begun:
        response = await api.get("/projects")

    assert response.status_code == 200
    assert len(begun) == 1
    assert response.content == JSONResponse(whole).body  # byte for byte: keys, their order, the values
    assert response.json() == [
        {
            "id": "Projects-1",
            "name": "Quotes",
            "lifecycle": "Dev, Test, and Prod",
            "description": "Says hello",
            "include": ["Common"],
            "connectivity": OFF,
            "tags": [],
        },
        {
            "id": "Projects-2",
            "name": "Bare",
            "lifecycle": None,
            "description": "",
            "include": [],
            "connectivity": OFF,
            "tags": [],
        },
    ]
    assert "s3cret" not in response.text


async def test_the_project_list_refuses_wrong_keys_before_reading(services, api):
    async with http_client(services, "API-WRONG") as wrong:
        refused = await wrong.get("/projects")
    async with http_client(services) as anonymous:
        with transactions() as begun:
            unauthenticated = await anonymous.get("/projects")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    assert unauthenticated.status_code == 401 and begun == []
