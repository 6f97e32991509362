"""Change requests on both databases: a gated deployment waits as a row, starts on its quorum, and ends on a
rejection; the deployer's own vote is refused; 50 concurrent decisions count exactly."""

from __future__ import annotations

import asyncio

import pytest
from tests.fixtures.approvals import PEOPLE, run_all, user_named
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.change_requests import ChangeRequestState
from seaway.domain.interruptions import Channel, Result
from seaway.domain.states import TaskState
from seaway.engine.change_requests import decide, progress_of
from seaway.errors import Conflict, InvalidInput, NotResponsible, SelfApprovalRefused

POLICY = """
  - name: Production change control
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders], users: [carol]}
    minimum: 2
    block_deployment_creator: true
"""
PROJECT = """
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    process:
      - {name: Hello, type: script, script: "echo hello from #{Octopus.Environment.Name}"}
"""


def space(policies: str = POLICY, extra: str = "") -> str:
    return PEOPLE + extra + PROJECT + "approval_policies:" + policies


async def _decide(services, number, username, result=Result.PROCEED, notes=""):
    actor = Actor(await user_named(services, username), Channel.API, AuthMethod.API_KEY)
    async with services.store.transaction() as uow:
        return await decide(
            uow, number, actor, result=result, notes=notes, now=services.clock.now(), public_url="http://seaway.test"
        )


async def _gated(services, policies: str = POLICY, extra: str = "", deployer: str = "dave"):
    await apply_yaml(services, space(policies, extra))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, deployer))
    await run_all(services)
    async with services.store.transaction() as uow:
        request = await uow.change_requests.find_for_deployment(deployment.id)
    assert request is not None and request.id is not None
    return deployment, request


async def test_a_gated_deployment_waits_as_a_row_and_starts_on_its_quorum(services):
    deployment, request = await _gated(services)
    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.QUEUED and runs == []
    async with services.store.transaction() as uow:
        assert await uow.queue.next_run_after() is None  # no work item: no worker is held
    log = await log_of(services, deployment)
    assert f"blocked by change request SEA-{request.id}, needs 2 approvals (0 so far)" in log

    first = await _decide(services, request.id, "alice", notes="fine by me")
    assert first.tally.have == 1 and first.request.is_pending
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.QUEUED
    assert f"still blocked by change request SEA-{request.id}, needs 2 approvals (1 so far)" in await log_of(
        services, deployment
    )

    second = await _decide(services, request.id, "carol")
    assert second.request.state is ChangeRequestState.APPROVED
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    assert "hello from Test" in await log_of(services, deployment)


async def test_an_ungated_environment_deploys_at_once_and_numbers_are_never_reused(services):
    await apply_yaml(services, space())
    release = await release_of(services, "Quotes")
    dev = await deploy(services, release, "Dev", user=await user_named(services, "dave"))
    await run_all(services)
    assert (await task_of(services, dev))[0].state is TaskState.SUCCESS
    first = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    second = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    async with services.store.transaction() as uow:
        a = await uow.change_requests.find_for_deployment(first.id)
        b = await uow.change_requests.find_for_deployment(second.id)
    assert a is not None and b is not None and a.id is not None and b.id == a.id + 1


async def test_the_deployers_own_vote_is_refused_and_one_person_counts_once(services):
    _, request = await _gated(services, deployer="alice")  # alice is an approver, and deployed it
    with pytest.raises(SelfApprovalRefused, match="blocks its creator"):
        await _decide(services, request.id, "alice")
    await _decide(services, request.id, "bob")
    with pytest.raises(Conflict, match="already decided"):
        await _decide(services, request.id, "bob")
    async with services.store.transaction() as uow:
        progress = await progress_of(uow, await uow.change_requests.get(request.id))
    assert progress.tally.have == 1 and [d.username for d in progress.decisions] == ["bob"]


async def test_someone_the_policy_does_not_name_is_not_responsible(services):
    _, request = await _gated(services, deployer="alice")
    with pytest.raises(NotResponsible, match='"dave" is not an approver'):
        await _decide(services, request.id, "dave")


async def test_a_rejection_ends_the_task_at_once_and_needs_a_reason(services):
    deployment, request = await _gated(services)
    with pytest.raises(InvalidInput, match="reason is required"):
        await _decide(services, request.id, "alice", Result.ABORT, "  ")
    await _decide(services, request.id, "alice")
    rejected = await _decide(services, request.id, "bob", Result.ABORT, "not during the sale")
    assert rejected.request.state is ChangeRequestState.REJECTED
    await run_all(services)
    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.FAILED and runs == []
    assert task.error == f"Rejected by Bob Builder (SEA-{request.id}): not during the sale"
    with pytest.raises(Conflict, match="already rejected"):
        await _decide(services, request.id, "carol")


def _with_team(text: str, team: str) -> str:
    return text.replace("teams:\n", f"teams:\n{team}", 1)


async def test_quorum_clauses_per_team(services):
    policy = """
  - name: Two and security
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders]}
    minimum: 2
    quorum: [{team: Security, minimum: 1}]
"""
    await apply_yaml(services, _with_team(space(policy), "  - {name: Security, members: [carol]}\n"))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    async with services.store.transaction() as uow:
        request = await uow.change_requests.find_for_deployment(deployment.id)
    assert request is not None and request.id is not None
    await _decide(services, request.id, "alice")
    two = await _decide(services, request.id, "bob")
    assert two.request.is_pending and two.tally.have == 2  # the minimum is met, the Security clause is not
    assert "0 of 1 from Security" in (two.blocked or "")
    three = await _decide(services, request.id, "carol")
    assert three.request.state is ChangeRequestState.APPROVED
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_fifty_concurrent_decisions_count_exactly(services):
    people = "".join(f"  - {{username: p{i}, display_name: P{i}}}\n" for i in range(50))
    members = ", ".join(f"p{i}" for i in range(50))
    policy = """
  - name: Fifty
    scope: {environments: [Test]}
    approvers: {teams: [Fifty]}
    minimum: 50
"""
    text = space(policy).replace("teams:\n", f"teams:\n  - name: Fifty\n    members: [{members}]\n", 1)
    text = text.replace("users:\n", "users:\n" + people, 1)
    await apply_yaml(services, text)
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    async with services.store.transaction() as uow:
        request = await uow.change_requests.find_for_deployment(deployment.id)
    assert request is not None and request.id is not None
    results = await asyncio.gather(*(_decide(services, request.id, f"p{i}") for i in range(50)))
    assert sorted(r.tally.have for r in results) == list(range(1, 51))
    assert [r.request.state for r in results].count(ChangeRequestState.APPROVED) == 1
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_a_newer_release_supersedes_the_older_pending_request_and_its_approvers_are_told(services):
    older_deployment, older = await _gated(services)  # links sent to the approvers with addresses
    newer_release = await release_of(services, "Quotes")
    newer_deployment = await deploy(services, newer_release, "Test", user=await user_named(services, "dave"))
    await run_all(services)

    async with services.store.transaction() as uow:
        ended = await uow.change_requests.get(older.id)
        newer = await uow.change_requests.find_for_deployment(newer_deployment.id)
        links = await uow.change_request_links.list_for(older.id)
        told = [await uow.emails.find_by_key(f"change-request-ended:{older.id}:{link.user_id}") for link in links]
    assert newer is not None and newer.is_pending
    assert ended.state is ChangeRequestState.CANCELED
    assert ended.reason == f"superseded by SEA-{newer.id} (release {newer_release.version})"
    assert (await task_of(services, older_deployment))[0].state is TaskState.CANCELED
    assert links and all(link.revoked_at is not None for link in links)
    assert all(email is not None and "superseded by" in email.text for email in told)
    with pytest.raises(Conflict, match="already canceled"):
        await _decide(services, older.id, "bob")


async def test_a_tightened_policy_voids_the_approvals_and_asks_again(services):
    deployment, request = await _gated(services)
    await _decide(services, request.id, "alice")
    async with services.store.transaction() as uow:
        first_links = await uow.change_request_links.list_for(request.id)

    await apply_yaml(services, space(POLICY.replace("minimum: 2", "minimum: 3")))
    await run_all(services)

    async with services.store.transaction() as uow:
        again = await uow.change_requests.get(request.id)
        progress = await progress_of(uow, again)
        links = await uow.change_request_links.list_for(request.id)
        emails = [e for e in await uow.emails.list() if e.subject.startswith("Approval needed")]
    assert again.is_pending and again.policy.minimum == 3 and again.content_hash != request.content_hash
    assert again.changes == ("minimum approvals 2 → 3",)
    assert progress.tally.have == 0 and progress.decisions == []  # alice's approval is void
    old = {link.id for link in first_links}
    assert first_links and all(link.revoked_at or link.used_at for link in links if link.id in old)
    assert len(links) == 2 * len(first_links)  # everyone asked again, with new links
    assert sum("Asked again" in e.text and "minimum approvals 2 → 3" in e.text for e in emails) == len(first_links) // 2
    log = await log_of(services, deployment)
    assert f"The approvals of SEA-{request.id} are void, its policy changed (minimum approvals 2 → 3)" in log
    assert "needs 3 approvals (0 so far)" in log
    for name in ("alice", "bob"):
        await _decide(services, request.id, name)
    assert (await _decide(services, request.id, "carol")).request.state is ChangeRequestState.APPROVED
