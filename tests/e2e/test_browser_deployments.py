"""The deployment, approvals, tasks and outbox pages in a real browser (headless Chromium) against a real server.

A deployment's log lines arrive on its open page without a reload and its gate callout appears; an
administrator opens the approval email in the outbox at phone width and approves from its link; the open
page sees the deployment finish. The reject path needs a reason; a rejected deployment is retried and the
retry canceled. Every page passes axe and fits a phone.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from tests.fixtures.approvals import deploy_as, run_all, space
from tests.fixtures.browser import assert_accessible, assert_fits_phone, save_screenshot, signed_in
from tests.fixtures.engine import apply_yaml, make_settings, task_of
from tests.fixtures.live_server import add_person, give_password, live_server

from seaway.bootstrap import Services, build_services
from seaway.domain.states import TaskState
from seaway.web.ui import deployments as deployments_page

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def server(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, Services]]:
    """A real server with the approvals space, Alice (a stakeholder) and Root (an administrator)."""

    def build(public_url: str) -> Services:
        return build_services(make_settings(db_url, tmp_path / "data", public_url=public_url))

    async with live_server(build) as (base_url, services):
        await apply_yaml(services, space())
        await give_password(services, "alice")
        await add_person(services, "root", display_name="Root Admin", is_admin=True)
        yield base_url, services


async def check_page(page: Page, screenshot: str | None = None) -> None:
    await assert_accessible(page)
    await assert_fits_phone(page)
    if screenshot:
        await save_screenshot(page, screenshot)


async def test_a_deployment_runs_live_and_is_approved_from_the_outbox_at_phone_width(db_url, tmp_path, browser):
    async with server(db_url, tmp_path) as (base_url, services):
        deployment = await deploy_as(services, "dave")
        watcher = await signed_in(browser, base_url, "alice", phone=True)
        await watcher.goto(f"{base_url}/deployments/Deployments-{deployment.id}")
        await expect(watcher.locator(".lead .state")).to_have_text("queued")
        await watcher.evaluate("window.stillTheSamePage = true")

        await run_all(services)  # Build runs, Sign Off waits

        await expect(watcher.locator("#log")).to_contain_text("building 0.0.1")
        gate = watcher.locator(".card.gate")
        await expect(gate.get_by_role("heading")).to_have_text("Approval needed to continue this deployment")
        await expect(gate.locator(".instructions")).to_contain_text("Check Test for release 0.0.1")
        await expect(watcher.locator(".lead .state")).to_have_text("waiting")
        assert await watcher.evaluate("window.stillTheSamePage") is True  # no reload
        await check_page(watcher, "deployment-waiting-phone")

        approvals = await signed_in(browser, base_url, "alice", phone=True)
        await approvals.goto(f"{base_url}/approvals")
        await check_page(approvals, "approvals-phone")
        await approvals.get_by_role("link", name="Sign Off: Quotes 0.0.1 to Test").click()
        await approvals.wait_for_url(f"**/deployments/Deployments-{deployment.id}#interruption-*")
        await approvals.goto(f"{base_url}/tasks?state=waiting")
        await expect(approvals.get_by_role("link", name="Quotes 0.0.1")).to_be_visible()
        await check_page(approvals, "tasks-phone")

        admin = await signed_in(browser, base_url, "root", phone=True)
        await admin.goto(f"{base_url}/outbox")
        await check_page(admin, "outbox-phone")
        email = admin.locator("section.email", has_text="To alice@example.org").frame_locator("iframe")
        await expect(email.get_by_text("Hello Alice Approver")).to_be_visible()
        await email.get_by_role("link", name="Approve").click()
        await admin.wait_for_url(f"{base_url}/links/*")  # the link page, in the top window
        await admin.locator("#note").fill("Approved from the outbox")
        await admin.get_by_role("button", name="Approve").click()
        await expect(admin.locator("h1")).to_have_text("Approved")

        await run_all(services)

        await expect(watcher.locator(".lead .state")).to_have_text("success")
        await expect(watcher.locator("#deployment-interruptions")).to_contain_text("Approved by Alice Approver")
        await expect(watcher.locator("#log")).to_contain_text("approved=True")
        assert await watcher.evaluate("window.stillTheSamePage") is True
        await save_screenshot(watcher, "deployment-finished-phone")
        for page in (watcher, approvals, admin):
            await page.context.close()


async def test_reject_needs_a_reason_then_retry_and_cancel_the_retry(db_url, tmp_path, browser, monkeypatch):
    monkeypatch.setattr(deployments_page, "LOG_LINES_SHOWN", 2)
    async with server(db_url, tmp_path) as (base_url, services):
        deployment = await deploy_as(services, "dave")
        await run_all(services)
        page = await signed_in(browser, base_url, "alice")
        await page.goto(f"{base_url}/deployments/Deployments-{deployment.id}")

        # The tail first; the earlier lines on demand.
        assert "building 0.0.1" not in await page.locator("#log").inner_text()
        await page.get_by_role("button", name="Load earlier lines").click()
        await expect(page.locator("#log")).to_contain_text("building 0.0.1")
        await expect(page.locator("#log-earlier")).to_be_hidden()
        first_line = (await page.locator("#log").inner_text()).splitlines()[0]
        assert first_line.endswith("Deploying Quotes release 0.0.1 to Test")

        await page.get_by_role("button", name="Reject").click()
        await expect(page.get_by_role("alert")).to_have_text("Not decided: a reason is required to reject")
        await page.get_by_label("Note (required to reject)").fill("Tests are red")
        await page.get_by_role("button", name="Reject").click()
        await expect(page.locator("#deployment-interruptions")).to_contain_text("Rejected by Alice Approver")
        await run_all(services)
        await expect(page.locator(".lead .state")).to_have_text("failed")
        await check_page(page, "deployment-failed")

        await page.get_by_role("button", name="Retry: deploy 0.0.1 to Test again").click()
        await page.wait_for_url(f"{base_url}/deployments/Deployments-{deployment.id + 1}")
        retry = await services_deployment(services, deployment.id + 1)
        await run_all(services)
        await expect(page.locator(".card.gate")).to_be_visible()
        await page.get_by_text("Cancel deployment…").click()
        await check_page(page)
        await page.get_by_role("button", name="Yes, cancel this deployment").click()
        await expect(page.locator(".lead")).to_contain_text("cancel requested")
        await run_all(services)
        await expect(page.locator(".lead .state")).to_have_text("canceled")
        assert (await task_of(services, retry))[0].state is TaskState.CANCELED
        await page.context.close()


async def services_deployment(services: Services, number: int):
    async with services.store.reading() as uow:
        return await uow.deployments.get(number)


async def test_an_administrator_creates_a_user_and_a_key_shown_once_then_revokes_it(db_url, tmp_path, browser):
    async with server(db_url, tmp_path) as (base_url, _):
        page = await signed_in(browser, base_url, "root", phone=True)
        await page.goto(f"{base_url}/configuration")
        await check_page(page, "configuration-phone")
        await page.get_by_role("link", name="Users").click()
        await page.get_by_label("Username").fill("newbie")
        await page.get_by_label("Display name").fill("New Bie")
        await page.get_by_role("button", name="Create user").click()
        await expect(page.locator("main")).to_contain_text("New Bie")
        await check_page(page, "users-phone")

        await page.goto(f"{base_url}/configuration/api-keys")
        await page.get_by_label("What it is for").fill("laptop")
        await page.get_by_role("button", name="Create key").click()
        key = await page.locator("#new-key").inner_text()
        assert key.strip()
        await check_page(page, "api-key-shown-once-phone")
        await page.goto(f"{base_url}/configuration/api-keys")
        assert key not in await page.locator("main").inner_text()  # shown once
        await page.get_by_role("button", name="Revoke laptop").click()
        await expect(page.locator("main")).to_contain_text("revoked")

        for path in ("/configuration/teams", "/configuration/audit", "/configuration/policies"):
            await page.goto(base_url + path)
            await check_page(page, path.rsplit("/", 1)[1] + "-phone")
        await page.get_by_role("link", name="New policy").click()
        await check_page(page, "policy-new-phone")
        policy = page.get_by_label("The approval policy as YAML", exact=False)
        await policy.fill("name: Two for Prod\napprovers: {teams: [Nobody]}\nminimum: 2\n")
        await page.get_by_role("button", name="Create the approval policy").click()
        await expect(page.locator("#document-error")).to_contain_text('unknown team "Nobody"')
        await check_page(page, "policy-refused-phone")
        await policy.fill(
            "name: Two for Prod\nscope: {environments: [Prod]}\napprovers: {teams: [Project Stakeholders]}\n"
        )
        await page.get_by_role("button", name="Create the approval policy").click()
        await expect(page.get_by_role("region", name="Two for Prod")).to_contain_text(
            "every project; environments Prod"
        )
        await check_page(page, "policies-listed-phone")

        await page.goto(f"{base_url}/configuration/teams")
        team = page.get_by_role("region", name="Project Stakeholders")
        await team.get_by_label("Give Project Stakeholders a role").select_option("project-deployer")
        await team.get_by_label("In environments").select_option(["Test", "Prod"])
        await team.get_by_role("button", name="Give the role").click()
        given = "project-deployer (every project; environments Test, Prod)"
        await expect(team).to_contain_text(given)
        await check_page(page, "team-roles-phone")
        await team.get_by_role("button", name=f"Remove {given} from Project Stakeholders").click()
        await expect(team).not_to_contain_text(given)
        await page.context.close()
