"""A queued deployment starts only while its creator may still deploy there (both databases): a role taken
away meanwhile fails it before any step, with the reason in its log and on the task."""

from __future__ import annotations

from tests.fixtures.approvals import run_all, user_named
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.domain.states import StepState, TaskState

SPACE = """
environments: [Dev, Test, Prod]
lifecycles:
  - name: Anywhere
    phases: [{name: All, environments: [Dev, Test, Prod]}]
users:
  - {username: bob, display_name: Bob Deployer}
teams:
  - name: Production Deployers
    members: [bob]
    roles: [{role: project-viewer}, {role: deployment-creator, environments: [Prod]}]
projects:
  - name: Quotes
    lifecycle: Anywhere
    process:
      - {name: Deploy, type: script, script: "echo the step ran"}
      - {name: After, type: noop}
"""
ROLE_TAKEN_AWAY = SPACE.replace(", {role: deployment-creator, environments: [Prod]}", "")
REFUSAL = 'the deployment\'s creator "bob" no longer has permission deployment.create for environment "Prod"'


async def bobs_deployment(services):
    await apply_yaml(services, SPACE)
    release = await release_of(services, "Quotes")
    return release, await deploy(services, release, "Prod", user=await user_named(services, "bob"))


async def test_a_creator_who_lost_the_role_while_it_was_queued_stops_it_before_any_step(services):
    release, deployment = await bobs_deployment(services)
    after_it = await deploy(services, release, "Prod")  # queued behind it, by Seaway itself
    await apply_yaml(services, ROLE_TAKEN_AWAY)

    await run_all(services)

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.FAILED
    assert task.error == REFUSAL
    assert [r.state for r in runs] == [StepState.SKIPPED, StepState.SKIPPED]
    assert runs[0].skip_reason == "the deployment was refused before it started"
    log = await log_of(services, deployment)
    assert REFUSAL in log and "the step ran" not in log
    # The refused deployment gave its slot up: the one queued behind it ran.
    assert (await task_of(services, after_it))[0].state is TaskState.SUCCESS


async def test_a_creator_who_still_holds_the_role_deploys(services):
    _, deployment = await bobs_deployment(services)
    await run_all(services)
    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    assert "the step ran" in await log_of(services, deployment)


async def test_a_disabled_creators_queued_deployment_still_runs(services):
    _, deployment = await bobs_deployment(services)
    await apply_yaml(
        services, SPACE.replace("display_name: Bob Deployer}", "display_name: Bob Deployer, active: false}")
    )

    await run_all(services)

    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_a_deployment_seaway_created_itself_needs_nobodys_permission(services):
    await apply_yaml(services, ROLE_TAKEN_AWAY)
    deployment = await deploy(services, await release_of(services, "Quotes"), "Prod")

    await run_all(services)

    assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
