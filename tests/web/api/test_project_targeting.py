"""A project's connectivity settings and rolling steps through the API on both databases: sent, read back in
the config document's shape and put back; bad targeting refused as a 422 naming the field, nothing written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.fixtures.engine import apply_yaml
from tests.fixtures.targets import MachineProbe, fingerprint_of, private_key_text, services_reaching, space_yaml

from seaway.bootstrap import Services

TARGET = (
    "  - {name: web-01, environments: [Test], roles: [web], endpoint: {type: ssh, host: 10.0.0.1, "
    f"account: deploy-key, fingerprint: '{fingerprint_of('web-01')}'}}}}\n"
)


@pytest.fixture
async def services(db_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    async with services_reaching(db_url, tmp_path / "data", MachineProbe()) as built:
        await apply_yaml(built, space_yaml(private_key_text(), TARGET))
        yield built


def rolling_step(**changes: Any) -> dict[str, Any]:
    step: dict[str, Any] = {
        "name": "Web",
        "rolling": {"window": 2},
        "roles": ["web"],
        "steps": [
            {"name": "Drain", "type": "script", "script": "echo drain"},
            {"name": "Deploy", "type": "script", "script": "echo deploy"},
        ],
    }
    return {**step, **changes}


async def test_connectivity_and_a_rolling_step_round_trip(api):
    connectivity = {"allow_no_targets": True, "exclude_unhealthy": True, "skip_unavailable": False}
    created = await api.post(
        "/projects", json={"name": "Site", "connectivity": connectivity, "process": [rolling_step()]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["connectivity"] == connectivity

    process = (await api.get("/projects/Site/process")).json()["steps"]
    assert process == [{**rolling_step(), "type": "rolling"}]
    put = await api.put("/projects/Site/process", json={"steps": process})
    assert put.status_code == 200, put.text

    listed = (await api.get("/projects")).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert items[0]["connectivity"] == connectivity


@pytest.mark.parametrize(
    ("step", "field"),
    [
        (rolling_step(roles=["wbe"]), "process[0].roles[0]"),
        (rolling_step(rolling={"window": 0}), "process[0].rolling.window"),
        (rolling_step(rolling={"size": 2}), "process[0].rolling"),
        (rolling_step(steps=[]), "process[0].steps"),
        (rolling_step(steps=[{"name": "Ask", "type": "manual-intervention"}]), "process[0].steps[0].type"),
        (
            rolling_step(steps=[{"name": "X", "type": "script", "script": "x", "roles": ["web"]}]),
            "process[0].steps[0].roles",
        ),
        (rolling_step(steps=[{"name": "Web", "type": "script", "script": "x"}]), "process[0].steps[0].name"),
        ({"name": "S", "type": "script", "script": "x", "steps": [{"name": "T", "type": "noop"}]}, "process[0].steps"),
        ({"name": "S", "type": "script", "script": "x", "max_parallelism": 0}, "process[0].max_parallelism"),
        (
            rolling_step(steps=[{"name": "X", "type": "noop", "run_condition": "always"}]),
            "process[0].steps[0].run_condition",
        ),
    ],
)
async def test_bad_targeting_is_a_422_naming_the_field(api, services, step, field):
    response = await api.post("/projects", json={"name": "Site", "process": [step]})

    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    async with services.store.reading() as uow:
        assert await uow.projects.list() == []


async def test_a_connectivity_switch_that_is_not_a_boolean_is_refused(api):
    response = await api.post("/projects", json={"name": "Site", "connectivity": {"allow_no_targets": "maybe"}})

    assert response.status_code == 422
    assert "connectivity" in response.json()["error"]["field"]
