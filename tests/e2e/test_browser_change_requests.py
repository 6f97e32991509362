"""A change request approved from the pages in a real browser (headless Chromium) against a real server: Alice
finds it in Approvals and approves on its page at phone width, Bob approves from the deployment page, the
release page shows it approved, and the deployment runs. Every page passes axe and fits a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from tests.fixtures.approvals import HELLO_PROJECT, PEOPLE, TWO_FOR_TEST, run_all, user_named
from tests.fixtures.browser import assert_accessible, assert_fits_phone, save_screenshot, signed_in
from tests.fixtures.engine import apply_yaml, deploy, make_settings, release_of, task_of
from tests.fixtures.live_server import give_password, live_server

from seaway.bootstrap import Services, build_services
from seaway.domain.states import TaskState

pytestmark = pytest.mark.slow

SPACE = PEOPLE + HELLO_PROJECT + TWO_FOR_TEST


async def check_page(page: Page, screenshot: str) -> None:
    await assert_accessible(page)
    await assert_fits_phone(page)
    await save_screenshot(page, screenshot)


async def test_a_change_request_is_approved_from_its_page_and_the_deployment_page(db_url, tmp_path, browser):
    def build(public_url: str) -> Services:
        return build_services(make_settings(db_url, tmp_path / "data", public_url=public_url))

    async with live_server(build) as (base_url, services):
        await apply_yaml(services, SPACE)
        for username in ("alice", "bob"):
            await give_password(services, username)
        release = await release_of(services, "Quotes")
        deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
        await run_all(services)
        async with services.store.reading() as uow:
            request = await uow.change_requests.find_for_deployment(deployment.id)
        assert request is not None
        number = f"SEA-{request.id}"

        alice = await signed_in(browser, base_url, "alice", phone=True)
        await alice.goto(f"{base_url}/approvals")
        await check_page(alice, "approvals-change-request-phone")
        await alice.get_by_role("link", name=f"{number}: Quotes 0.0.1 to Test").click()
        await alice.wait_for_url(f"**/change-requests/{number}")
        await expect(alice.get_by_text("0 of 2 approvals")).to_be_visible()
        await check_page(alice, "change-request-phone")
        await alice.get_by_label("Note (a reason is required to reject)").fill("looks right")
        await alice.get_by_role("button", name=f"Approve {number}").click()
        await alice.wait_for_url(f"**/change-requests/{number}")
        await expect(alice.get_by_role("cell", name="looks right")).to_be_visible()
        await expect(alice.get_by_text("you have decided it already")).to_be_visible()

        bob = await signed_in(browser, base_url, "bob")
        await bob.goto(f"{base_url}/deployments/Deployments-{deployment.id}")
        await expect(bob.get_by_text("1 of 2 approvals")).to_be_visible()
        await check_page(bob, "deployment-change-request")
        await bob.get_by_role("button", name=f"Approve {number}").click()
        await bob.wait_for_url(f"**/deployments/Deployments-{deployment.id}")
        await expect(bob.locator(f"#change-request-{number} .state")).to_have_text("approved")

        await alice.goto(f"{base_url}/releases/Releases-{deployment.release_id}")
        await expect(alice.locator(f"#change-request-{number} .state")).to_have_text("approved")
        await check_page(alice, "release-change-request-phone")

        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
