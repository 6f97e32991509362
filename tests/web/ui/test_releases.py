"""The release page: its progression and its deployments, in a number of statements that does not grow with
the number of deployments of the release."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from tests.fixtures.approvals import space, user_named
from tests.fixtures.engine import apply_yaml, deploy, release_of
from tests.fixtures.live_server import give_password, page_client, sign_in

from seaway.domain.ids import format_id

STEP = '      - {name: Hello, type: script, script: "echo hello"}\n'


async def test_the_release_page_issues_the_same_number_of_statements_for_2_and_20_deployments(services):
    await apply_yaml(services, space(STEP))
    await give_password(services, "carol")
    release = await release_of(services, "Quotes")
    url = f"/releases/{format_id('release', release.id)}"
    async with page_client(services) as client:
        await sign_in(client, "carol")

        async def statements() -> tuple[int, str]:
            counted: list[str] = []

            def on_statement(*args: object) -> None:
                counted.append(str(args[2]))

            event.listen(sa.Engine, "before_cursor_execute", on_statement)
            try:
                page = await client.get(url)
            finally:
                event.remove(sa.Engine, "before_cursor_execute", on_statement)
            assert page.status_code == 200
            return len(counted), page.text

        carol = await user_named(services, "carol")
        for _ in range(2):
            await deploy(services, release, "Dev", user=carol)
        small, small_page = await statements()
        for _ in range(18):
            await deploy(services, release, "Dev", user=carol)
        large, large_page = await statements()

    assert large_page.count('href="/deployments/') - small_page.count('href="/deployments/') == 18
    assert small == large
