"""`GET /api/v1/tasks/{id}/log/raw`: the whole masked log as a text file, for API keys and signed-in browsers."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.engine import apply_yaml, deploy, project_yaml, release_of
from tests.fixtures.live_server import add_person, page_client, sign_in
from tests.fixtures.web import api_key_for, http_client

from seaway.domain.users import User
from seaway.web.api import tasks as tasks_api

SECRET = "s3cret-value"
PROJECT = project_yaml(
    "Chatty",
    "      - name: Talk\n"
    "        type: script\n"
    "        script: |\n"
    "          for i in $(seq 1 23); do echo line-$i; done\n"
    '          echo "the password is #{Db Password}"\n'
    "          echo 'to stderr' >&2\n",
    f'      - {{name: Db Password, value: "{SECRET}", sensitive: true}}\n',
)
TEXT_LINE = re.compile(r"^\d\d:\d\d:\d\d [ ~!] ")


async def run_chatty(services) -> int:
    await apply_yaml(services, PROJECT)
    deployment = await deploy(services, await release_of(services, "Chatty"), "Test")
    await services.worker.run_until_idle()
    assert deployment.task_id is not None
    return deployment.task_id


async def test_the_download_is_every_line_as_the_cli_prints_it_in_pages(services, api, monkeypatch):
    task_id = await run_chatty(services)
    monkeypatch.setattr(tasks_api, "RAW_PAGE_LINES", 7)  # the log has about 30 lines: several pages

    response = await api.get(f"/tasks/ServerTasks-{task_id}/log/raw")
    logged = (await api.get(f"/tasks/ServerTasks-{task_id}/log")).json()["lines"]

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="task-{task_id}.log"'
    text_lines = response.text.split("\n")
    assert text_lines.pop() == ""  # every line ends with a line break
    assert len(text_lines) == len(logged) > 3 * 7
    marks = {"info": " ", "warning": "~", "error": "!"}
    for text, line in zip(text_lines, logged, strict=True):
        assert text == f"{line['at'][11:19]} {marks[line['level']]} {line['message']}"
    messages = [line[11:] for line in text_lines]
    assert messages[messages.index("line-1") : messages.index("line-23") + 1] == [f"line-{i}" for i in range(1, 24)]
    assert "! to stderr" in [line[9:] for line in text_lines]
    assert all(TEXT_LINE.match(line) for line in text_lines)


async def test_the_download_is_masked(services, api):
    task_id = await run_chatty(services)

    body = (await api.get(f"/tasks/ServerTasks-{task_id}/log/raw")).text

    assert "the password is ********" in body
    assert SECRET not in body


async def test_the_download_needs_a_valid_key_of_an_active_user(services):
    task_id = await run_chatty(services)
    async with services.store.transaction() as uow:
        gone = await uow.users.add(User("gone", active=False), services.clock.now())
    path = f"/tasks/ServerTasks-{task_id}/log/raw"

    async with (
        http_client(services) as anonymous,
        http_client(services, "API-WRONG") as wrong,
        http_client(services, await api_key_for(services, gone)) as disabled,
    ):
        responses = [await anonymous.get(path), await wrong.get(path), await disabled.get(path)]

    assert [r.status_code for r in responses] == [401, 401, 401]
    assert all("line-1" not in r.text for r in responses)


@pytest.mark.parametrize("ref", ["ServerTasks-999999", "999999"])
async def test_an_unknown_task_is_a_404(services, api, ref):
    response = await api.get(f"/tasks/{ref}/log/raw")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_the_deployment_page_links_the_download_for_its_signed_in_browser(services):
    task_id = await run_chatty(services)
    await add_person(services, "alice", roles=("project-viewer",))
    async with page_client(services) as browser, page_client(services) as signed_out:
        await sign_in(browser, "alice")
        async with services.store.reading() as uow:
            deployment_id = (await uow.tasks.get(task_id)).deployment_id
        page = await browser.get(f"/deployments/Deployments-{deployment_id}")
        link = re.search(r'<a href="([^"]+)" download>Download the whole log</a>', page.text)
        assert link is not None
        downloaded = await browser.get(link[1])
        refused = await signed_out.get(link[1])

    assert link[1] == f"/api/v1/tasks/ServerTasks-{task_id}/log/raw"
    assert downloaded.status_code == 200 and "line-23" in downloaded.text
    assert refused.status_code == 401 and "line-23" not in refused.text
