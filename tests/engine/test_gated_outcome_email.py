"""The deployer's outcome email for a deployment gated by a change request but with no manual-intervention
step, on both databases: sent once when it ends, naming who decided; an ungated deployment sends none."""

from __future__ import annotations

from tests.engine.test_change_requests import _decide, _gated, space
from tests.fixtures.approvals import run_all, user_named
from tests.fixtures.engine import apply_yaml, deploy, release_of, task_of

from seaway.domain.interruptions import Result
from seaway.domain.states import TaskState


async def _outcomes(services):
    async with services.store.transaction() as uow:
        return [e for e in await uow.emails.list() if e.dedupe_key.startswith("deployment-result:")]


async def test_an_approved_deployment_tells_its_deployer_who_approved_once(services):
    deployment, request = await _gated(services)
    await _decide(services, request.id, "alice")
    assert await _outcomes(services) == []
    await _decide(services, request.id, "bob")
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    [email] = await _outcomes(services)
    assert email.to == ("dave@example.org",) and email.subject.startswith("Deployed: Quotes")
    assert f"Change request: SEA-{request.id} approved by Alice Approver, Bob Builder" in email.text


async def test_a_rejected_deployment_tells_its_deployer_why(services):
    deployment, request = await _gated(services)
    await _decide(services, request.id, "bob", Result.ABORT, "not during the sale")
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.FAILED
    [email] = await _outcomes(services)
    assert email.subject.startswith("Deployment failed: Quotes")
    assert f"Change request: Rejected by Bob Builder (SEA-{request.id}): not during the sale" in email.text


async def test_an_ungated_deployment_sends_no_outcome_email(services):
    await apply_yaml(services, space())
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Dev", user=await user_named(services, "dave"))
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    assert await _outcomes(services) == []
