"""PUT /projects/{id}/variables checks scopes as config apply does, and keeps sensitive values left out."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import project_yaml

SPACE = project_yaml(
    "Quotes",
    '      - {name: Deploy, type: script, script: "echo hi"}\n',
    '      - {name: Db Password, value: "s3cret", sensitive: true}\n',
)


async def apply(api, text: str):
    return await api.post("/config/apply", content=text, headers={"Content-Type": "application/yaml"})


@pytest.fixture
async def quotes(api):
    assert (await apply(api, SPACE)).status_code == 200
    return "/projects/Quotes/variables"


def variables(*scopes: dict[str, list[str]]) -> dict[str, object]:
    return {"variables": [{"name": f"V{index}", "value": "x", "scope": scope} for index, scope in enumerate(scopes)]}


async def test_an_unknown_step_scope_is_refused_and_nothing_is_written(api, quotes):
    before = (await api.get(quotes)).json()

    response = await api.put(quotes, json=variables({}, {"step": ["Deploy"]}, {"steps": ["Nope"]}))

    assert response.status_code == 422, response.text
    assert 'unknown step "Nope"' in response.json()["error"]["message"]
    assert (await api.get(quotes)).json() == before


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        ({"steps": ["Nope"]}, "variables[2].scope.steps"),
        ({"step": ["Deploy", "Nope"]}, "variables[2].scope.steps"),
        ({"environment": ["Qa"]}, "variables[2].scope.environments"),
    ],
)
async def test_the_error_names_the_variable_by_its_index(api, quotes, scope, field):
    response = await api.put(quotes, json=variables({}, {"environments": ["Dev"]}, scope))

    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_config_apply_names_the_same_field_under_its_project(api):
    document = SPACE.replace(
        '      - {name: Db Password, value: "s3cret", sensitive: true}\n',
        "      - {name: A, value: a}\n"
        "      - {name: B, value: b}\n"
        "      - {name: C, value: c, scope: {step: [Nope]}}\n",
    )

    response = await apply(api, document)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "projects[0].variables[2].scope.steps"


async def test_known_scopes_are_saved_and_a_sensitive_value_left_out_is_kept(services, api, quotes):
    body = {
        "variables": [
            {"name": "Db Password", "value": None, "sensitive": True},
            {"name": "Port", "value": 8080, "scope": {"environment": ["Dev"], "step": ["deploy"]}},
        ]
    }

    response = await api.put(quotes, json=body)

    assert response.status_code == 200, response.text
    assert response.json()["variables"] == [
        {"name": "Db Password", "value": None, "scope": {}, "sensitive": True},
        {"name": "Port", "value": "8080", "scope": {"environment": ["Dev"], "step": ["deploy"]}, "sensitive": False},
    ]
    async with services.store.reading() as uow:
        stored = (await uow.projects.get_by_name("Quotes")).variables
    assert stored[0].value == "s3cret"
