"""The deployment page of a deployment a freeze holds: it says why it has not started, and offers whoever holds
`freeze.override` there the override form (a reason required), which lets it through as the API does."""

from __future__ import annotations

from tests.engine.test_freezes import START, _frozen
from tests.fixtures.approvals import run_all, services_with
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import task_of
from tests.fixtures.live_server import add_person, form_fields, give_password, origin_of, page_client, sign_in

from seaway.domain.states import TaskState

OVERRIDE = "Override the freeze…"


async def _page(client, deployment):
    page = await client.get(f"/deployments/Deployments-{deployment.id}")
    assert page.status_code == 200, page.text
    return page.text


async def test_the_page_shows_the_hold_and_an_override_with_a_reason_starts_it(db_url, tmp_path):
    async with services_with(db_url, tmp_path / "data", clock=FakeClock(START)) as services:
        deployment = await _frozen(services, "Dev")
        await add_person(services, "olga", is_admin=True, email="olga@example.org")
        await give_password(services, "dave")
        path = f"/deployments/Deployments-{deployment.id}/freeze-override"

        async with page_client(services) as client:
            await sign_in(client, "dave")
            shown = await _page(client, deployment)
            assert "Not started: frozen by Year end until 2027-01-03 00:00 UTC" in shown
            assert OVERRIDE not in shown  # the deployer may deploy but not override

        async with page_client(services) as client:
            await sign_in(client, "olga")
            shown = await _page(client, deployment)
            assert OVERRIDE in shown
            fields = form_fields(shown, path)
            refused = await client.post(path, data=fields | {"reason": " "}, headers=origin_of(client))
            assert refused.status_code == 422 and "reason is required" in refused.text
            assert (await task_of(services, deployment))[0].state is TaskState.QUEUED

            done = await client.post(path, data=fields | {"reason": "the outage fix"}, headers=origin_of(client))
            assert done.status_code == 303
            await run_all(services)
            assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
            shown = await _page(client, deployment)
            assert "Not started" not in shown and OVERRIDE not in shown

        async with services.store.reading() as uow:
            [event] = await uow.audit.list(action="deployment.freeze_override")
        assert (event.actor, event.channel, event.details["reason"]) == ("olga", "ui", "the outage fix")
