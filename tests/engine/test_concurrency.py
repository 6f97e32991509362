"""Cancel, the per-node task cap, and one deployment at a time per project and environment."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.fixtures.engine import apply_yaml, deploy, log_of, project_yaml, release_of, task_of

from seaway.domain.states import StepState, TaskState
from seaway.engine.deployments import request_cancel


async def signal_from_script(fifo: Path) -> None:
    """Await a line a script writes to a named pipe: the script's way of saying it is running."""
    await asyncio.to_thread(fifo.read_text)


async def test_canceling_a_running_task_terminates_its_script(services, tmp_path):
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    steps = f"""\
      - name: Long
        type: script
        script: |
          trap 'echo got TERM; exit 143' TERM
          echo started > {fifo}
          for i in $(seq 1 600); do sleep 0.1; done
          echo finished normally
      - {{name: After, type: script, run_condition: always, script: "echo after"}}
"""
    await apply_yaml(services, project_yaml("Quotes", steps))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")
    worker = asyncio.create_task(services.worker.run_until_idle())
    await asyncio.wait_for(signal_from_script(fifo), timeout=20)

    async with services.store.transaction() as uow:
        await request_cancel(uow, deployment.task_id, now=services.clock.now())
    services.worker.cancel_task(deployment.task_id)
    await asyncio.wait_for(worker, timeout=20)

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.CANCELED
    assert [r.state for r in runs] == [StepState.CANCELED, StepState.CANCELED]
    log = await log_of(services, deployment)
    assert "got TERM" in log
    assert "finished normally" not in log
    assert "after" not in log.split("\n")


async def test_a_cancel_request_reaches_a_running_script_through_the_heartbeat(services, tmp_path):
    """Without the in-process signal (as when another node's API took the request)."""
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    steps = f"""\
      - name: Long
        type: script
        script: |
          echo started > {fifo}
          for i in $(seq 1 600); do sleep 0.1; done
"""
    await apply_yaml(services, project_yaml("Quotes", steps))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")
    worker = asyncio.create_task(services.worker.run_until_idle())
    await asyncio.wait_for(signal_from_script(fifo), timeout=20)

    async with services.store.transaction() as uow:
        await request_cancel(uow, deployment.task_id, now=services.clock.now())
    await asyncio.wait_for(worker, timeout=20)

    assert (await task_of(services, deployment))[0].state is TaskState.CANCELED


async def test_canceling_a_queued_task_ends_it_without_running_a_step(services):
    await apply_yaml(services, project_yaml("Quotes", '      - {name: One, type: script, script: "echo ran"}\n'))
    deployment = await deploy(services, await release_of(services, "Quotes"), "Dev")
    async with services.store.transaction() as uow:
        await request_cancel(uow, deployment.task_id, now=services.clock.now())

    await services.worker.run_until_idle()

    task, runs = await task_of(services, deployment)
    assert task.state is TaskState.CANCELED
    assert task.started_at is None
    assert runs == []


async def test_deployments_to_the_same_project_and_environment_run_one_at_a_time(services, tmp_path):
    log_file = tmp_path / "order.log"
    steps = f"""\
      - name: Record
        type: script
        script: |
          echo "start #{{Octopus.Deployment.Id}}" >> {log_file}
          sleep 0.3
          echo "end #{{Octopus.Deployment.Id}}" >> {log_file}
"""
    await apply_yaml(services, project_yaml("Quotes", steps))
    release = await release_of(services, "Quotes")
    first = await deploy(services, release, "Dev")
    second = await deploy(services, release, "Dev")
    other_env = await deploy(services, release, "Test")

    await services.worker.run_until_idle()

    for deployment in (first, second, other_env):
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
    lines = [ln for ln in log_file.read_text().splitlines() if ln.endswith((f"-{first.id}", f"-{second.id}"))]
    assert lines == [
        f"start Deployments-{first.id}",
        f"end Deployments-{first.id}",
        f"start Deployments-{second.id}",
        f"end Deployments-{second.id}",
    ]


async def test_several_deployments_run_concurrently_up_to_the_task_cap(services, tmp_path):
    """Each project's script waits until all the others have started: only running them together can finish."""
    started = tmp_path / "started"
    started.mkdir()
    cap = services.worker.capacity
    projects = "".join(
        f"""
  - name: P{i}
    process:
      - name: Rendezvous
        type: script
        timeout: 30
        script: |
          touch {started}/#{{Octopus.Project.Name}}
          until [ "$(ls {started} | wc -l)" -ge {cap} ]; do sleep 0.05; done
"""
        for i in range(cap)
    )
    await apply_yaml(services, "environments: [Dev]\nprojects:" + projects)
    deployments = [await deploy(services, await release_of(services, f"P{i}"), "Dev") for i in range(cap)]

    await services.worker.run_until_idle()

    for deployment in deployments:
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
