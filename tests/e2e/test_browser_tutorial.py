"""The tutorial in the browser, as a newcomer does it after `make run`: the real demo server (with its polling
agent), signed in as the admin it printed; create a release, deploy it to Test, approve from the email in
the outbox, promote to Prod, approve again, and see the app answer on each environment's port."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import urllib.request

import pytest
from playwright.async_api import Page, expect
from tests.e2e.test_demo import demo_on_free_ports
from tests.fixtures.browser import open_page, save_screenshot
from tests.fixtures.server_process import ServerProcess, free_port, seaway_env

pytestmark = pytest.mark.slow


def app_page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        return response.read().decode()


async def approve_from_outbox(page: Page, base_url: str, deployment_url: str, environment: str) -> None:
    """Alice's newest approval email for `environment`, opened from the outbox; approved on its link page."""
    await page.goto(f"{base_url}/outbox")
    email = (
        page.locator("section.email", has_text="To alice@example.org").filter(has_text=f"to {environment}").first
    ).frame_locator("iframe")
    await email.get_by_role("link", name="Approve").click()
    await page.wait_for_url(f"{base_url}/links/*")
    await page.locator("#note").fill(f"{environment} looks right")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator("h1")).to_have_text("Approved")
    await page.goto(deployment_url)
    await expect(page.locator(".lead .state")).to_have_text("success", timeout=60_000)


async def deploy_from_release_page(page: Page, release_url: str, environment: str) -> str:
    await page.goto(release_url)
    await page.get_by_role("link", name=f"Deploy to {environment}").click()
    await page.get_by_role("button", name=f"Deploy to {environment}").click()
    await page.wait_for_url(re.compile(r".*/deployments/Deployments-\d+$"))
    gate = page.locator(".card.gate")
    await expect(gate.get_by_role("heading")).to_have_text(
        "Approval needed to continue this deployment", timeout=60_000
    )
    await expect(page.locator("#log")).to_contain_text(f"[quotes-{environment.lower()}]")  # through the agent
    return page.url


async def test_a_newcomer_does_the_whole_tutorial_in_the_browser(tmp_path, browser):
    demo_file, ports = demo_on_free_ports(tmp_path)
    data_dir = tmp_path / "data"
    env = seaway_env(f"sqlite:///{tmp_path / 'seaway.db'}", data_dir)
    port = free_port()
    env["SEAWAY_AGENT_PORT"] = str(free_port())
    env["SEAWAY_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # where the emailed links lead
    server = ServerProcess(env, port, ("--demo", "--demo-file", str(demo_file)))
    server.start()
    try:
        printed = "".join(server.output)
        password = re.search(r"\(user admin, password (\S+)\)", printed)
        assert password, printed
        page = await open_page(browser)
        await page.goto(f"{server.url}/signin")
        await page.locator("#username").fill("admin")
        await page.locator("#password").fill(password.group(1))
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        await expect(page.get_by_text("outbox", exact=False).first).to_be_visible()  # no SMTP: the banner

        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
        await page.get_by_role("link", name="Random Quotes").click()
        await page.get_by_role("link", name="Create release").click()
        await page.get_by_role("button", name="Create release").click()
        await page.wait_for_url(re.compile(r".*/releases/Releases-\d+$"))
        release_url = page.url
        await expect(page.get_by_role("button", name="Deploy to Prod")).to_be_disabled()

        test_url = await deploy_from_release_page(page, release_url, "Test")
        await approve_from_outbox(page, server.url, test_url, "Test")
        assert "Running in Test" in app_page(ports["Test"])

        prod_url = await deploy_from_release_page(page, release_url, "Prod")
        await approve_from_outbox(page, server.url, prod_url, "Prod")
        assert "Running in Prod" in app_page(ports["Prod"])
        await page.goto(server.url + "/")
        await save_screenshot(page, "tutorial-dashboard")
        await page.context.close()
    finally:
        server.stop()
        for pid_file in data_dir.rglob("random-quotes/*/app.pid"):  # started by Deploy.sh, on the agent
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
