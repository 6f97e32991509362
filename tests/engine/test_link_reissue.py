"""Sending approval links again, on both databases: new links work, the old ones of those people die."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.fixtures.api import api_client
from tests.fixtures.approvals import (
    decide,
    interruption_of,
    links_in,
    run_all,
    set_up,
    space,
    token_of,
    user_named,
)
from tests.fixtures.engine import apply_yaml, task_of

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel, LinkStatus
from seaway.domain.states import TaskState
from seaway.engine.decisions import link_status_of
from seaway.engine.deployments import request_cancel
from seaway.engine.link_reissue import reissue_links
from seaway.errors import DeploymentCanceled, InterruptionAlreadyDecided, InvalidInput, NotResponsible
from seaway.security.tokens import hash_token


async def resend(services, interruption, username, **kw):
    actor = Actor(await user_named(services, username), Channel.API, AuthMethod.API_KEY)
    async with services.store.transaction() as uow:
        return await reissue_links(
            uow, interruption.id, actor, links=services.links, now=kw.pop("now", services.clock.now()), **kw
        )


async def approval_emails(services):
    async with services.store.transaction() as uow:
        emails = await uow.emails.list()
    return [e for e in reversed(emails) if e.dedupe_key.startswith("approval:")]  # oldest first


async def status_of(services, url):
    async with services.store.transaction() as uow:
        link = await uow.approval_links.find_by_hash(hash_token(token_of(url)))
        assert link is not None
        return await link_status_of(uow, link, services.clock.now())


async def test_the_deployer_resends_everyones_links_and_only_the_new_ones_work(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    first = {e.to[0]: links_in(e.text) for e in await approval_emails(services)}

    now = services.clock.now()
    reissued = await resend(services, interruption, "dave", now=now)

    assert [u.username for u in reissued.recipients] == ["alice", "bob", "erin"]
    assert reissued.expires_at == now + timedelta(hours=services.settings.approval_link_hours)
    emails = await approval_emails(services)
    assert len(emails) == 6
    second = {e.to[0]: links_in(e.text) for e in emails[3:]}
    assert {e.dedupe_key for e in emails[3:]} == {f"approval:{interruption.id}:{u.id}:2" for u in reissued.recipients}
    for address, links in first.items():
        assert await status_of(services, links["Approve"]) is LinkStatus.REVOKED
        assert await status_of(services, second[address]["Approve"]) is LinkStatus.USABLE
    async with services.store.transaction() as uow:
        [event] = await uow.audit.list(action="interruption.links_reissued")
    assert event.actor == "dave" and set(event.details["links"]) == {"alice", "bob", "erin"}
    assert event.details["links_voided"] == 6

    await decide(
        services,
        interruption,
        "alice",
        channel="email-link",
        link_token_hash=hash_token(token_of(second["alice@example.org"]["Approve"])),
    )
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_resending_to_one_person_leaves_the_others_links_alone(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    first = {e.to[0]: links_in(e.text) for e in await approval_emails(services)}

    reissued = await resend(services, interruption, "bob", usernames=["Alice"])
    again = await resend(services, interruption, "bob", usernames=["alice"])

    assert [u.username for u in reissued.recipients] == [u.username for u in again.recipients] == ["alice"]
    emails = await approval_emails(services)
    assert [e.dedupe_key.rsplit(":", 1)[1] for e in emails[3:]] == ["2", "3"]
    assert await status_of(services, first["alice@example.org"]["Reject"]) is LinkStatus.REVOKED
    assert await status_of(services, links_in(emails[3].text)["Reject"]) is LinkStatus.REVOKED
    assert await status_of(services, links_in(emails[4].text)["Reject"]) is LinkStatus.USABLE
    assert await status_of(services, first["bob@example.org"]["Approve"]) is LinkStatus.USABLE


async def test_someone_who_joined_the_team_since_gets_links_and_someone_who_left_does_not(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    await apply_yaml(services, space().replace("members: [alice, bob, erin, nomail]", "members: [bob, carol]"))

    reissued = await resend(services, interruption, "dave")

    assert [u.username for u in reissued.recipients] == ["bob", "carol"]


async def test_who_may_ask_and_for_whom(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)

    with pytest.raises(NotResponsible):  # neither deployer, administrator nor responsible
        await resend(services, interruption, "carol")
    for names in (["carol"], ["dave"], ["nomail"], ["nobody"]):
        with pytest.raises(InvalidInput) as refused:
            await resend(services, interruption, "dave", usernames=names)
        assert refused.value.field == "users"
        assert f"cannot send links to {names[0]}" in refused.value.message
    assert len(await approval_emails(services)) == 3  # nothing was sent or voided by a refusal


async def test_links_are_not_resent_once_decided_or_canceled(services):
    decided = await set_up(services)
    await decide(services, await interruption_of(services, decided), "alice", "proceed", "ok")
    with pytest.raises(InterruptionAlreadyDecided):
        await resend(services, await interruption_of(services, decided), "dave")

    canceled = await set_up(services)
    assert canceled.task_id is not None
    async with services.store.transaction() as uow:
        await request_cancel(uow, canceled.task_id, now=services.clock.now())
    with pytest.raises(DeploymentCanceled):
        await resend(services, await interruption_of(services, canceled), "dave")


async def test_the_api_resends_and_names_the_field_of_a_bad_request(services):
    deployment = await set_up(services)
    interruption = await interruption_of(services, deployment)
    path = f"/api/v1/interruptions/Interruptions-{interruption.id}/links"

    async with api_client(services, await user_named(services, "dave")) as dave:
        everyone = await dave.post(path)
        one = await dave.post(path, json={"users": ["erin"]})
        outsider = await dave.post(path, json={"users": ["carol"]})
        typo = await dave.post(path, json={"user": ["erin"]})
    async with api_client(services, await user_named(services, "carol")) as carol:
        refused = await carol.post(path)

    assert everyone.status_code == 200, everyone.text
    assert everyone.json()["sent_to"] == ["alice", "bob", "erin"]
    assert everyone.json()["id"] == f"Interruptions-{interruption.id}"
    assert one.json()["sent_to"] == ["erin"]
    assert outsider.status_code == 422 and outsider.json()["error"]["field"] == "users"
    assert typo.status_code == 422
    assert refused.status_code == 403
    assert len(await approval_emails(services)) == 3 + 3 + 1
