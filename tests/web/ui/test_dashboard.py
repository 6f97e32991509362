"""The dashboard: projects × environments, the latest deployment in each cell, what waits for you, the outbox
banner, the navigation, and a number of queries that does not grow with the data."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from tests.fixtures.approvals import PEOPLE, deploy_as, run_all, set_up
from tests.fixtures.engine import apply_yaml
from tests.fixtures.live_server import give_password, page_client, sign_in

from seaway.web.ui import dashboard

STEP = '      - {name: Hello, type: script, script: "echo hello"}\n'


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


def projects_yaml(count: int) -> str:
    text = "projects:\n"
    for n in range(count):
        text += f"  - name: App {n}\n    lifecycle: Dev, Test, and Prod\n    process:\n" + STEP
    return PEOPLE + text


def cell(html: str, project: str) -> str:
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]*>{project}</a></th>(.*?)</tr>", html, re.S)
    assert row is not None, f"no row for {project}"
    return row.group(1)


async def test_the_grid_shows_the_latest_deployment_in_each_environment_with_its_state(services, client):
    deployment = await set_up(services)  # Quotes 0.0.1 waits at its sign-off in Test
    await give_password(services, "carol")
    await sign_in(client, "carol")

    page = await client.get("/")

    assert page.status_code == 200
    row = cell(page.text, "Quotes")
    assert f'<a href="/deployments/Deployments-{deployment.id}">0.0.1</a>' in row
    assert '<span class="state waiting">waiting for approval</span>' in row
    assert "just now" in row
    assert 'data-refresh="3"' in page.text  # something runs: the grid refreshes itself
    assert '<script src="/static/refresh.js" defer></script>' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "No SMTP server is set" in page.text  # the tests keep mail in the outbox


async def test_the_navigation_shows_what_one_may_use_and_counts_what_waits(services, client):
    await set_up(services)
    await apply_yaml(services, "users:\n  - {username: nobody, display_name: No Body}\n")
    await give_password(services, "alice")
    await give_password(services, "nobody")

    await sign_in(client, "alice")
    alice = (await client.get("/")).text
    await sign_in(client, "nobody")
    nobody = (await client.get("/")).text

    assert '<a href="/" aria-current="page">Dashboard</a>' in alice
    assert 'Approvals <span class="count" aria-label="1 waiting for you">1</span>' in alice
    assert '<a href="/projects">Projects</a>' in alice and '<a href="/tasks">Tasks</a>' in alice
    # No grant at all: only what every signed-in person has (their own API keys live under Configuration).
    assert '<a href="/approvals">' not in nobody and '<a href="/projects">' not in nobody
    assert '<a href="/configuration">Configuration</a>' in nobody
    assert "Filter projects by name" not in nobody


async def test_a_finished_grid_stops_refreshing_and_the_filter_keeps_matching_projects(services, client):
    await apply_yaml(services, projects_yaml(3))
    await give_password(services, "carol")
    await deploy_as(services, "carol", "Dev", project="App 1")
    await run_all(services)
    await sign_in(client, "carol")

    everything = (await client.get("/")).text
    filtered = (await client.get("/", params={"q": "app 1"})).text
    none = (await client.get("/", params={"q": "zzz"})).text

    assert '<span class="state success">success</span>' in cell(everything, "App 1")
    assert "data-refresh" not in everything
    assert ">App 0</a>" in everything and ">App 2</a>" in everything
    assert ">App 1</a>" in filtered and ">App 0</a>" not in filtered
    assert 'No project matches "zzz"' in none


async def test_the_dashboard_and_a_project_issue_the_same_number_of_queries_whatever_the_data_size(services, client):
    await apply_yaml(services, projects_yaml(2))
    await give_password(services, "carol")
    await sign_in(client, "carol")

    async def statements(path: str = "/") -> int:
        counted: list[str] = []

        def on_statement(*args: object) -> None:
            counted.append(str(args[2]))

        event.listen(sa.Engine, "before_cursor_execute", on_statement)
        try:
            assert (await client.get(path)).status_code == 200
        finally:
            event.remove(sa.Engine, "before_cursor_execute", on_statement)
        return len(counted)

    small = (await statements(), await statements("/projects/Projects-1"))
    await apply_yaml(services, projects_yaml(8))
    for n in range(8):
        for environment in ("Dev", "Test", "Dev"):  # App 0 gets three releases
            await deploy_as(services, "carol", environment, project=f"App {n}" if environment != "Dev" else "App 0")
    await run_all(services)
    large = (await statements(), await statements("/projects/Projects-1"))

    assert small == large


async def test_the_grid_comes_in_pages_of_projects(services, client, monkeypatch):
    monkeypatch.setattr(dashboard, "PROJECTS_PER_PAGE", 2)
    await apply_yaml(services, projects_yaml(3))
    await give_password(services, "carol")
    await sign_in(client, "carol")

    first = (await client.get("/")).text
    second = (await client.get("/", params={"page": 2})).text

    assert ">App 0</a>" in first and ">App 1</a>" in first and ">App 2</a>" not in first
    assert "Projects 1–2 of 3" in first and '<a href="/?q=&amp;page=2">2</a>' in first
    assert ">App 2</a>" in second and ">App 0</a>" not in second
