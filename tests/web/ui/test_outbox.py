"""The outbox page: administrators only; each email in a sandboxed frame whose links open the link pages."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.approvals import set_up
from tests.fixtures.live_server import add_person, give_password, page_client, sign_in

from seaway.web.security_headers import EMAIL_FRAME_POLICY, EMAIL_SANDBOX


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


async def test_an_administrator_reads_the_kept_emails_each_in_a_sandboxed_frame(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    page = await client.get("/outbox")
    frames = re.findall(r'<iframe class="email" src="([^"]+)" sandbox="([^"]+)" title="([^"]+)"', page.text)
    email = await client.get(frames[0][0])

    assert page.status_code == 200 and "No SMTP server is set" in page.text
    assert frames and all(sandbox == EMAIL_SANDBOX for _, sandbox, _ in frames)
    assert "allow-scripts" not in EMAIL_SANDBOX and "allow-same-origin" not in EMAIL_SANDBOX
    assert any(title.startswith("Email: Approval needed: Quotes 0.0.1 to Test") for _, _, title in frames)
    assert "frame-src 'self'" in page.headers["content-security-policy"]
    assert email.status_code == 200
    assert email.headers["content-security-policy"] == EMAIL_FRAME_POLICY
    assert email.headers["x-frame-options"] == "SAMEORIGIN"
    assert re.search(r'<head[^>]*><base target="_top">', email.text)
    assert 'href="http://seaway.test/links/' in email.text  # the real approve and reject links


async def test_the_outbox_is_for_administrators_only(services, client):
    await set_up(services)
    await give_password(services, "alice")  # a deployer everywhere, not an administrator
    await sign_in(client, "alice")

    page = await client.get("/outbox")
    email = await client.get("/outbox/Emails-1/html")
    unknown = await page_client(services).get("/outbox/Emails-1/html")

    assert page.status_code == email.status_code == 403
    assert "Approval needed" not in page.text + email.text
    assert unknown.status_code == 303  # signed out: to sign in first


async def test_an_unknown_email_is_a_404(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    assert (await client.get("/outbox/Emails-999/html")).status_code == 404
    assert (await client.get("/outbox/Releases-1/html")).status_code == 404
