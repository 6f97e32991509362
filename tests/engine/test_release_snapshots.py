"""Re-taking a release's variables, on both databases: the approvals bound to what it deployed are void and
asked for again, saying which variables changed; an approved request whose content changed does not start;
a deployment in progress refuses the re-snapshot."""

from __future__ import annotations

import pytest
from tests.fixtures.approvals import PEOPLE, run_all, user_named
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.change_requests import ChangeRequestState
from seaway.domain.interruptions import Channel, Result
from seaway.domain.states import TaskState
from seaway.domain.variables import Variable
from seaway.engine.change_requests import decide
from seaway.engine.release_snapshots import snapshot_variables
from seaway.errors import Conflict

POLICY = """
approval_policies:
  - name: Test change control
    scope: {environments: [Test]}
    approvers: {teams: [Project Stakeholders], users: [carol]}
    minimum: 2
"""


def space(greeting: str = "hello", secret: str = "s3cret", extra_step: str = "") -> str:
    return (
        PEOPLE
        + f"""
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    variables:
      - {{name: Greeting, value: {greeting}}}
      - {{name: Greeting, value: prod-{greeting}, scope: {{environment: Prod}}}}
      - {{name: ApiKey, value: {secret}, sensitive: true}}
    process:
      - name: Hello
        type: script
        script: |
          echo "#{{Greeting}} from #{{Octopus.Environment.Name}}"
{extra_step}"""
        + POLICY
    )


async def _actor(services, username: str) -> Actor:
    return Actor(await user_named(services, username), Channel.API, AuthMethod.API_KEY)


async def _decide(services, number, username, result=Result.PROCEED, notes=""):
    actor = await _actor(services, username)
    async with services.store.transaction() as uow:
        return await decide(
            uow,
            number,
            actor,
            result=result,
            notes=notes,
            now=services.clock.now(),
            public_url="http://seaway.test",
        )


async def _snapshot(services, release_id: int, username: str = "alice"):
    actor = await _actor(services, username)
    async with services.store.transaction() as uow:
        return await snapshot_variables(uow, release_id, now=services.clock.now(), actor=actor)


async def _gated(services):
    await apply_yaml(services, space())
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    await run_all(services)
    async with services.store.transaction() as uow:
        request = await uow.change_requests.find_for_deployment(deployment.id)
    assert request is not None and request.id is not None
    return release, deployment, request


async def test_a_re_snapshot_voids_the_approvals_and_asks_again_saying_what_changed(services):
    release, deployment, request = await _gated(services)
    await _decide(services, request.id, "alice")
    async with services.store.transaction() as uow:
        first_links = await uow.change_request_links.list_for(request.id)

    await apply_yaml(services, space(greeting="bonjour", secret="n3w-secret"))
    snapshot = await _snapshot(services, release.id)
    await run_all(services)

    assert snapshot.changes == (
        "variable ApiKey (unscoped) changed (sensitive value)",
        'variable Greeting (environment Prod) changed: "prod-hello" → "prod-bonjour"',
        'variable Greeting (unscoped) changed: "hello" → "bonjour"',
    )
    assert [r.id for r in snapshot.voided] == [request.id]
    async with services.store.transaction() as uow:
        again = await uow.change_requests.get(request.id)
        decisions = await uow.change_requests.decisions(request.id)
        links = await uow.change_request_links.list_for(request.id)
        emails = [e for e in await uow.emails.list() if e.subject.startswith("Approval needed")]
        voided = await uow.audit.list(action="change_request.voided")
        updated = await uow.audit.list(action="release.variables_updated")
        stored = await uow.releases.get(release.id)
    assert again.is_pending and again.content_hash != request.content_hash and decisions == []
    assert set(again.changes) == set(snapshot.changes)
    old = {link.id for link in first_links}
    assert first_links and all(link.revoked_at or link.used_at for link in links if link.id in old)
    assert len(links) == 2 * len(first_links)
    assert sum("Asked again" in e.text and '"hello" → "bonjour"' in e.text for e in emails) == len(first_links) // 2
    assert not any("n3w-secret" in e.text or "s3cret" in e.text for e in emails)
    assert [e.entity_id for e in voided] == [f"SEA-{request.id}"]
    assert "variable ApiKey (unscoped) changed (sensitive value)" in voided[0].details["changes"]
    assert updated[0].details["change_requests_voided"] == [f"SEA-{request.id}"]
    assert "n3w-secret" not in str(updated[0].details)
    assert {v.value for v in stored.variables if v.name == "Greeting"} == {"bonjour", "prod-bonjour"}
    log = await log_of(services, deployment)
    assert f"The approvals of SEA-{request.id} are void, what it deploys changed (" in log
    assert "needs 2 approvals (0 so far)" in log

    await _decide(services, request.id, "alice")
    await _decide(services, request.id, "carol")
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    assert "bonjour from Test" in await log_of(services, deployment)  # the queued deployment ran the new snapshot


async def test_an_approved_deployment_whose_content_changed_does_not_start_and_is_asked_again(services):
    release, deployment, request = await _gated(services)
    await _decide(services, request.id, "alice")
    assert (await _decide(services, request.id, "carol")).request.state is ChangeRequestState.APPROVED
    # Changed behind the change request's back, between the approval and the start.
    async with services.store.transaction() as uow:
        await uow.releases.replace_variables(release.id, (Variable("Greeting", "changed"),))
    await run_all(services)

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.QUEUED and runs == []
    async with services.store.transaction() as uow:
        again = await uow.change_requests.get(request.id)
        assert await uow.change_requests.decisions(request.id) == []
    assert again.is_pending and again.changes == ("what it deploys changed since it was approved",)
    assert f"The approvals of SEA-{request.id} are void" in await log_of(services, deployment)

    await _decide(services, request.id, "alice")
    await _decide(services, request.id, "carol")
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    assert "changed from Test" in await log_of(services, deployment)


async def test_an_approved_deployment_not_started_yet_is_voided_by_the_re_snapshot_itself(services):
    release, deployment, request = await _gated(services)
    await _decide(services, request.id, "alice")
    await _decide(services, request.id, "carol")  # approved; run-task enqueued but not yet run
    await apply_yaml(services, space(greeting="hallo"))
    snapshot = await _snapshot(services, release.id)
    assert [r.id for r in snapshot.voided] == [request.id]
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.QUEUED


async def test_unchanged_variables_write_nothing(services):
    release, _, request = await _gated(services)
    await _decide(services, request.id, "alice")
    snapshot = await _snapshot(services, release.id)
    assert snapshot.changes == () and snapshot.voided == ()
    async with services.store.transaction() as uow:
        assert await uow.audit.list(action="release.variables_updated") == []
        assert len(await uow.change_requests.decisions(request.id)) == 1


WAIT_STEP = """\
      - name: Sign Off
        type: manual-intervention
        instructions: wait
        responsible_teams: [Project Stakeholders]
"""


async def test_a_deployment_in_progress_refuses_the_re_snapshot_naming_it(services):
    await apply_yaml(services, space(extra_step=WAIT_STEP))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Dev", user=await user_named(services, "dave"))
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.WAITING
    await apply_yaml(services, space(greeting="hola", extra_step=WAIT_STEP))
    with pytest.raises(Conflict, match=f"Deployments-{deployment.id}") as refused:
        await _snapshot(services, release.id)
    assert "being deployed" in refused.value.message
    async with services.store.transaction() as uow:
        assert {v.value for v in (await uow.releases.get(release.id)).variables if v.name == "Greeting"} == {
            "hello",
            "prod-hello",
        }
