"""An approver in a real browser: headless Chromium (Debian's, driven by Playwright) against a real server.

Opening links with JavaScript on decides nothing; the browser refuses to send a reject without a reason;
a typed note and one click approve; "See the deployment" asks for a sign-in and comes back to the page.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page
from tests.fixtures.approvals import SIGN_OFF, deploy_as, interruption_of, run_all, space, user_named
from tests.fixtures.engine import apply_yaml, make_settings, task_of
from tests.fixtures.live_server import PASSWORD, SIGN_IN_REQUIRED, decision_state, emailed_links, live_server

from seaway.bootstrap import Services, build_services
from seaway.domain.deployments import Deployment
from seaway.domain.states import TaskState
from seaway.security.passwords import hash_password

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def gated(
    db_url: str, tmp_path: Path, person: str, steps: str = SIGN_OFF
) -> AsyncIterator[tuple[str, Services, Deployment]]:
    """A real server whose deployment by Dave waits at the sign-off; `person` has a password."""

    def build(public_url: str) -> Services:
        return build_services(make_settings(db_url, tmp_path / "data", public_url=public_url))

    async with live_server(build) as (base_url, services):
        await apply_yaml(services, space(steps))
        deployment = await deploy_as(services, "dave")
        await run_all(services)
        user = await user_named(services, person)
        assert user.id is not None
        async with services.store.transaction() as uow:
            await uow.users.set_password_hash(user.id, hash_password(PASSWORD))
        yield base_url, services, deployment


async def heading(page: Page) -> str:
    return (await page.locator("h1").inner_text()).strip()


async def test_an_approver_decides_with_a_click_in_chromium_and_follows_the_deployment_link(db_url, tmp_path, browser):
    async with gated(db_url, tmp_path, "alice") as (base_url, services, deployment):
        alice_links = await emailed_links(services, "alice@example.org")
        bob_links = await emailed_links(services, "bob@example.org")
        before = await decision_state(services)
        page = await (await browser.new_context()).new_page()

        # 1. A browser that runs JavaScript opens every link, as detonation sandboxes do: nothing is decided.
        for path in (*alice_links.values(), *bob_links.values()):
            response = await page.goto(base_url + path, wait_until="networkidle")
            assert response is not None and response.status == 200
        assert await decision_state(services) == before

        # 2. Bob's Reject without a reason: the browser itself refuses to send the form.
        await page.goto(base_url + bob_links["Reject"])
        await page.get_by_role("button", name="Reject").click()
        assert await page.locator("#note").evaluate("note => note.validity.valueMissing") is True
        assert page.url == base_url + bob_links["Reject"]
        assert await decision_state(services) == before

        # 3. Alice reads the page, types a note and clicks Approve once.
        await page.goto(base_url + alice_links["Approve"])
        assert await heading(page) == "Approve the deployment of Quotes 0.0.1 to Test?"
        assert "Check Test for release 0.0.1" in await page.locator(".instructions").inner_text()
        await page.locator("#note").fill("Checked in Chromium")
        await page.get_by_role("button", name="Approve").click()
        await page.wait_for_url(base_url + alice_links["Approve"])
        assert await heading(page) == "Approved"
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
        interruption = await interruption_of(services, deployment)
        assert (interruption.outcome and interruption.outcome.value, interruption.channel) == ("Approved", "email-link")

        # 4. "See the deployment" asks Alice to sign in, then shows the deployment and who approved it.
        await page.get_by_role("link", name="See the deployment").click()
        await page.wait_for_url(f"{base_url}/signin?next=/deployments/Deployments-{deployment.id}")
        await page.locator("#username").fill("alice")
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{base_url}/deployments/Deployments-{deployment.id}")
        assert await heading(page) == "Quotes 0.0.1 to Test"
        body = await page.locator("main").inner_text()
        assert "Approved by Alice Approver at " in body and "Checked in Chromium" in body
        assert "success" in await page.locator(".lead .state").inner_text()


async def test_a_gate_that_needs_a_sign_in_sends_the_approver_to_sign_in_and_back_in_chromium(
    db_url, tmp_path, browser
):
    async with gated(db_url, tmp_path, "bob", SIGN_IN_REQUIRED) as (base_url, services, deployment):
        reject = base_url + (await emailed_links(services, "bob@example.org"))["Reject"]
        page = await (await browser.new_context()).new_page()

        await page.goto(reject)
        assert "Sign in to decide" in await page.locator("main").inner_text()
        assert await page.get_by_role("button", name="Reject").count() == 0
        await page.get_by_role("link", name="Sign in as Bob Builder, then come back to this link").click()
        await page.locator("#username").fill("bob")
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(reject)
        await page.locator("#note").fill("The banner is wrong")
        await page.get_by_role("button", name="Reject").click()
        await page.wait_for_url(reject)

        assert await heading(page) == "Rejected"
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.FAILED
        interruption = await interruption_of(services, deployment)
        assert (interruption.outcome and interruption.outcome.value, interruption.notes) == (
            "Rejected",
            "The banner is wrong",
        )


async def test_a_signed_in_approver_finds_the_gate_on_the_home_page_and_rejects_it_in_chromium(
    db_url, tmp_path, browser
):
    async with gated(db_url, tmp_path, "bob") as (base_url, services, deployment):
        page = await (await browser.new_context()).new_page()

        await page.goto(base_url + "/")  # signed out: to the sign-in page and back
        await page.locator("#username").fill("bob")
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(base_url + "/")
        await page.get_by_role("link", name="Sign Off: Quotes 0.0.1 to Test").click()
        await page.wait_for_url(f"{base_url}/deployments/Deployments-{deployment.id}")
        await page.get_by_role("button", name="Reject").click()  # no reason yet
        assert "Not decided: a reason is required to reject" in await page.locator("main").inner_text()
        await page.get_by_label("Note (required to reject)").fill("Tests are red")
        await page.get_by_role("button", name="Reject").click()
        await page.wait_for_url(f"{base_url}/deployments/Deployments-{deployment.id}")

        assert "Rejected by Bob Builder at " in await page.locator("main").inner_text()
        interruption = await interruption_of(services, deployment)
        assert (interruption.channel, interruption.notes) == ("ui", "Tests are red")
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.FAILED
