"""The web UI in a real browser (headless Chromium through Playwright) against a real server: the tutorial's
path from the dashboard to a deployment, the variables form, and what someone without permission sees.
Every page is checked with axe-core and at phone width; screenshots of the key pages are kept."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from tests.fixtures.approvals import run_all
from tests.fixtures.browser import assert_accessible, assert_fits_phone, open_page, save_screenshot
from tests.fixtures.deployers import LEAD, PROJECT, SPACE
from tests.fixtures.engine import apply_yaml, make_settings, release_of
from tests.fixtures.live_server import PASSWORD, give_password, live_server

from seaway.bootstrap import Services, build_services

pytestmark = pytest.mark.slow

SHARED = """
library_variable_sets:
  - name: Shared
    variables: [{name: Region, value: eu-west}]
"""


@contextlib.asynccontextmanager
async def served(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, Services]]:
    def build(public_url: str) -> Services:
        return build_services(make_settings(db_url, tmp_path / "data", public_url=public_url))

    async with live_server(build) as (base_url, services):
        await apply_yaml(services, SPACE)
        await apply_yaml(services, LEAD + SHARED)
        for username in ("lena", "internaldeployer"):
            await give_password(services, username)
        yield base_url, services


async def sign_in(page: Page, base_url: str, username: str) -> None:
    await page.goto(base_url + "/")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(base_url + "/")


async def checked(page: Page, name: str | None = None) -> None:
    """axe on the page as it is, then the same page at phone width; a screenshot when `name` is given."""
    await assert_accessible(page)
    if name:
        await save_screenshot(page, name)
    size = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 844})
    await assert_fits_phone(page)
    if name:
        await save_screenshot(page, f"{name}-phone")
    assert size is not None
    await page.set_viewport_size(size)


async def test_a_lead_creates_a_release_deploys_it_to_test_and_watches_the_dashboard(db_url, tmp_path, browser):
    async with served(db_url, tmp_path) as (base_url, services):
        page = await open_page(browser)
        await sign_in(page, base_url, "lena")
        await checked(page, "dashboard-empty")

        # The project, its tabs, and a release created from its page with the suggested version.
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
        await checked(page)
        await page.get_by_role("link", name=PROJECT).click()
        project_url = page.url
        await checked(page, "project")
        for tab in ("Process", "Releases", "View as YAML"):
            await page.get_by_role("navigation", name="Project").get_by_role("link", name=tab).click()
            await checked(page)
        assert "name: Random Quotes" in await page.locator("pre.yaml").inner_text()
        await page.get_by_role("link", name="Create release").click()
        await expect(page.get_by_label("Version")).to_have_value("0.0.1")
        await page.get_by_label("Release notes").fill("First quotes")
        await checked(page, "release-new")
        await page.get_by_role("button", name="Create release").click()
        await page.wait_for_url(re.compile(r".*/releases/Releases-\d+$"))

        # The progression: Prod waits for Test, with the lifecycle's reason beside its disabled button.
        prod = page.get_by_role("button", name="Deploy to Prod")
        await expect(prod).to_be_disabled()
        reason = await page.locator(f"#{await prod.get_attribute('aria-describedby')}").inner_text()
        assert 'requires phase "Test" to be complete first' in reason
        await checked(page, "release")
        await page.get_by_role("link", name="Deploy to Test").click()
        await page.get_by_label("Comment (optional)").fill("First try")
        await checked(page, "deploy")
        await page.get_by_role("button", name="Deploy to Test").click()
        await page.wait_for_url(re.compile(r".*/deployments/Deployments-\d+$"))

        # The dashboard shows it queued and refreshes itself until it has succeeded.
        await page.goto(base_url + "/")
        cell = page.locator("table.grid tbody tr").filter(has_text=PROJECT).locator("td").nth(1)
        await expect(cell).to_contain_text("queued")
        await run_all(services)
        await expect(cell).to_contain_text("success", timeout=15_000)
        await checked(page, "dashboard")

        # A variable: a name of spaces is refused next to the field, then a valid one is added.
        await page.goto(project_url + "/variables")
        await page.get_by_label("Name").fill("   ")
        await page.get_by_label("Value", exact=True).fill("8081")
        await page.get_by_label("Scope: Environments").select_option("Test")
        await page.get_by_role("button", name="Add variable").click()
        await expect(page.locator("#name-error")).to_contain_text("must not be empty")
        await expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
        await checked(page, "variables-refused")
        await page.get_by_label("Name").fill("Port")
        await page.get_by_role("button", name="Add variable").click()
        await expect(page.locator("table.steps")).to_contain_text("environments: Test")
        await checked(page, "variables")

        for section in ("Library", "Infrastructure"):
            await page.get_by_role("navigation", name="Main").get_by_role("link", name=section).click()
            await checked(page, section.lower())


async def test_a_deployer_without_prod_sees_no_prod_button_and_a_forged_post_is_refused(db_url, tmp_path, browser):
    async with served(db_url, tmp_path) as (base_url, services):
        release = await release_of(services, PROJECT)
        page = await open_page(browser, phone=True)
        await sign_in(page, base_url, "internaldeployer")

        await page.goto(f"{base_url}/releases/Releases-{release.id}")
        assert await page.get_by_role("button", name="Deploy to Prod").count() == 0
        assert await page.get_by_role("link", name="Deploy to Prod").count() == 0
        await expect(page.locator("main")).to_contain_text("you may not deploy to Prod")
        await assert_fits_phone(page)
        await assert_accessible(page)
        await page.get_by_role("link", name="Deploy to Test").click()
        token = await page.locator("input[name=csrf_token]").get_attribute("value")
        forged = await page.request.post(
            f"{base_url}/releases/Releases-{release.id}/deploy",
            form={"csrf_token": token or "", "environment": "Prod"},
            headers={"Origin": base_url},
        )
        assert forged.status == 403
        async with services.store.reading() as uow:
            assert await uow.deployments.list_for_release(release.id or 0) == []
