"""The engine runs deployments end to end on both databases."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import apply_yaml, deploy, log_of, project_yaml, release_of, task_of

from seaway.domain.states import StepState, TaskState
from seaway.errors import LifecycleRefused

THREE_STEPS = """\
      - {name: First, type: script, script: "echo first in #{Octopus.Environment.Name}"}
      - name: Second
        type: script
        script: |
          echo "second sees port #{App Port}"
          set_octopusvariable "Greeting" "hello from second"
      - name: Third
        type: script
        syntax: python
        script: "print('third got #{Octopus.Action[Second].Output.Greeting}')"
"""
PORT_VARIABLES = """\
      - {name: App Port, value: "8081", scope: {environment: [Dev]}}
      - {name: App Port, value: "8082", scope: {environment: [Test]}}
"""


async def test_a_deployment_runs_every_step_and_passes_output_variables_on(services):
    await apply_yaml(services, project_yaml("Quotes", THREE_STEPS, PORT_VARIABLES))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test")

    await services.worker.run_until_idle()

    task, steps = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS
    assert [s.state for s in steps] == [StepState.SUCCEEDED] * 3
    log = await log_of(services, deployment)
    assert "first in Test" in log
    assert "second sees port 8082" in log
    assert "third got hello from second" in log
    assert "##octopus" not in log


async def test_a_failing_step_fails_the_task_and_skips_later_success_steps(services):
    steps = """\
      - {name: Breaks, type: script, script: "echo about to fail; exit 3"}
      - {name: Never, type: script, script: "echo should not run"}
      - {name: Report, type: script, run_condition: failure, script: "echo 'failed: #{Octopus.Deployment.Error}'"}
      - {name: Always, type: script, run_condition: always, script: "echo always #{Octopus.Step[Breaks].Status.Code}"}
"""
    await apply_yaml(services, project_yaml("Quotes", steps))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")

    await services.worker.run_until_idle()

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.FAILED
    assert [r.state for r in runs] == [StepState.FAILED, StepState.SKIPPED, StepState.SUCCEEDED, StepState.SUCCEEDED]
    assert "exited with code 3" in (task.error or "")
    log = await log_of(services, deployment)
    assert "should not run" not in log
    assert 'failed: The step "Breaks" failed: the script exited with code 3' in log
    assert "always Failed" in log


async def test_the_lifecycle_refuses_prod_before_test_but_allows_skipping_the_optional_dev(services):
    await apply_yaml(services, project_yaml("Quotes", "      - {name: Only, type: noop}\n"))
    release = await release_of(services, "Quotes")

    with pytest.raises(LifecycleRefused) as refused:
        await deploy(services, release, "Prod")
    assert refused.value.field == "environment"
    assert 'phase "Test"' in str(refused.value)

    test_deployment = await deploy(services, release, "Test")
    await services.worker.run_until_idle()
    assert (await task_of(services, test_deployment))[0].state is TaskState.SUCCESS

    prod = await deploy(services, release, "Prod")
    await services.worker.run_until_idle()
    assert (await task_of(services, prod))[0].state is TaskState.SUCCESS


async def test_sensitive_values_are_masked_in_the_log(services):
    variables = '      - {name: Db Password, value: "s3cret-value", sensitive: true}\n'
    steps = '      - {name: Leak, type: script, script: "echo the password is #{Db Password}; echo s3cret-value >&2"}\n'
    await apply_yaml(services, project_yaml("Quotes", steps, variables))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")

    await services.worker.run_until_idle()

    log = await log_of(services, deployment)
    assert "s3cret-value" not in log
    assert "the password is ********" in log


async def test_steps_skip_by_environment_and_disabled_steps_never_run(services):
    steps = """\
      - {name: Not in Dev, type: script, script: "echo ran", environments: {skip: [Dev]}}
      - {name: Only Prod, type: script, script: "echo ran", environments: {only: [Prod]}}
      - {name: Disabled, type: script, script: "echo ran", enabled: false}
      - {name: Runs, type: noop}
"""
    await apply_yaml(services, project_yaml("Quotes", steps))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")

    await services.worker.run_until_idle()

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.SUCCESS
    assert [r.state for r in runs] == [StepState.SKIPPED] * 3 + [StepState.SUCCEEDED]
    assert runs[0].skip_reason == "the step does not run in this environment"
    assert runs[2].skip_reason == "the step is disabled"


async def test_system_variables_describe_the_release_and_the_previous_ones(services):
    steps = """\
      - name: Describe
        type: script
        script: |
          echo "release #{Octopus.Release.Number} after #{Octopus.Release.Previous.Number}"
          echo "last here #{Octopus.Release.PreviousForEnvironment.Number}"
          echo "by #{Octopus.Deployment.CreatedBy.Username} <#{Octopus.Deployment.CreatedBy.EmailAddress}>"
          echo "link #{Octopus.Web.ServerUri}#{Octopus.Web.DeploymentLink}"
"""
    from tests.fixtures.engine import add_user

    await apply_yaml(services, project_yaml("Quotes", steps))
    user = await add_user(services, "dora", email="dora@example.org")
    await apply_yaml(services, "teams: [{name: Deployers, members: [dora], roles: [{role: project-deployer}]}]")
    first = await release_of(services, "Quotes", "1.0.0")
    await deploy(services, first, "Dev", user=user)
    await services.worker.run_until_idle()
    second = await release_of(services, "Quotes", "1.1.0")
    deployment = await deploy(services, second, "Dev", user=user)

    await services.worker.run_until_idle()

    log = await log_of(services, deployment)
    assert "release 1.1.0 after 1.0.0" in log
    assert "last here 1.0.0" in log
    assert "by dora <dora@example.org>" in log
    assert f"link http://seaway.test/deployments/Deployments-{deployment.id}" in log


async def test_template_errors_are_logged_and_can_fail_the_deployment(services):
    steps = """\
      - {name: Loose, type: script, script: "echo value=#{Missing} #{if Open}"}
"""
    await apply_yaml(services, project_yaml("Quotes", steps))
    lenient = await deploy(services, await release_of(services, "Quotes"), "Dev")
    await services.worker.run_until_idle()
    assert (await task_of(services, lenient))[0].state is TaskState.SUCCESS
    log = await log_of(services, lenient)
    assert "value=#{Missing}" in log
    assert "script:" in log  # the warning names where the template was

    strict_vars = '      - {name: OctopusShouldFailDeploymentOnSubstitutionFails, value: "True"}\n'
    await apply_yaml(
        services, project_yaml("Strict", "      - {name: S, type: script, script: 'echo #{Missing}'}\n", strict_vars)
    )
    strict = await deploy(services, await release_of(services, "Strict"), "Dev")
    await services.worker.run_until_idle()
    task, _ = await task_of(services, strict)
    assert task.state is TaskState.FAILED
    assert "Missing" in (task.error or "")


async def test_print_variables_writes_the_resolved_variables_masked(services):
    variables = """\
      - {name: OctopusPrintVariables, value: "true"}
      - {name: Secret, value: "hunter22", sensitive: true}
      - {name: Plain, value: "visible"}
"""
    await apply_yaml(services, project_yaml("Quotes", "      - {name: One, type: script, script: 'true'}\n", variables))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")
    await services.worker.run_until_idle()
    log = await log_of(services, deployment)
    assert "Plain = visible" in log
    assert "Secret = ********" in log
    assert "hunter22" not in log


async def test_a_variable_run_condition_decides_whether_a_step_runs(services):
    steps = """\
      - {name: Step A, type: script, script: "echo yes ran", run_condition: {variable: "#{Enabled}"}}
      - {name: Step B, type: script, script: "echo no ran", run_condition: {variable: "#{Disabled}"}}
      - {name: Unknown, type: script, script: "echo unknown ran", run_condition: {variable: "#{Nope}"}}
"""
    variables = """\
      - {name: Enabled, value: "True"}
      - {name: Disabled, value: "False"}
"""
    await apply_yaml(services, project_yaml("Quotes", steps, variables))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")
    await services.worker.run_until_idle()
    _, runs = await task_of(services, deployment)
    assert [r.state for r in runs] == [StepState.SUCCEEDED, StepState.SKIPPED, StepState.SKIPPED]


async def test_library_variable_sets_and_prompted_variables_reach_the_script(services):
    document = project_yaml(
        "Quotes",
        '      - {name: Show, type: script, script: "echo #{Shared} #{Region} #{Who}"}\n',
        """\
      - {name: Region, value: project-wins}
      - {name: Who, value: nobody, prompt: {label: Who approved, required: true}}
""",
    ).replace("    lifecycle:", "    include: [Common]\n    lifecycle:")
    document = document.replace(
        "projects:",
        """library_variable_sets:
  - name: Common
    variables:
      - {name: Shared, value: from-the-library}
      - {name: Region, value: library-loses}
projects:""",
    )
    await apply_yaml(services, document)
    release = await release_of(services, "Quotes")
    from seaway.errors import InvalidInput

    with pytest.raises(InvalidInput) as missing:
        await deploy(services, release, "Dev", variables={"Who": ""})
    assert missing.value.field == "variables.Who"
    deployment = await deploy(services, release, "Dev", variables={"who": "Carol"})

    await services.worker.run_until_idle()

    assert "from-the-library project-wins Carol" in await log_of(services, deployment)


async def test_a_release_entering_an_automatic_phase_is_deployed_there_by_itself(services):
    document = """
environments: [Dev, Test]
lifecycles:
  - name: Auto
    phases:
      - {name: Dev, environments: [Dev]}
      - {name: Test, environments: [Test], automatic: true}
projects:
  - name: Quotes
    lifecycle: Auto
    process:
      - {name: Say, type: script, script: "echo in #{Octopus.Environment.Name}"}
"""
    await apply_yaml(services, document)
    release = await release_of(services, "Quotes")
    await deploy(services, release, "Dev")

    await services.worker.run_until_idle()

    async with services.store.transaction() as uow:
        deployments = await uow.deployments.list_for_release(release.id)
        succeeded = await uow.deployments.succeeded_environments(release.id)
    assert [d.environment for d in deployments] == ["Dev", "Test"]
    assert sorted(succeeded) == ["Dev", "Test"]
