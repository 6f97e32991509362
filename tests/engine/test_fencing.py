"""A stale owner is fenced: a node that stalled past its lease while another node took its work over has its
late writes refused (each engine transaction for a work item first checks this node still holds the lease).

In one process, two workers share a clock the test moves; across processes, a server is stopped with SIGSTOP
past its lease, a second server finishes the deployment, and the first is resumed with SIGCONT.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
import yaml
from tests.fixtures.clock import FakeClock
from tests.fixtures.crash import Node, deploy, finished, prepare, runs_of, server_env
from tests.fixtures.engine import apply_yaml, log_of, make_settings, release_of, task_of
from tests.fixtures.engine import deploy as deploy_in_process

from seaway.bootstrap import build_services
from seaway.domain.ids import parse_id
from seaway.domain.process import StepType
from seaway.domain.states import StepState, TaskState
from seaway.engine.worker import Worker
from seaway.steps.base import StepContext, StepOutcome, Succeeded

LEASE_SECONDS = 30.0
REFUSED = "late write refused: lease on run-task:{} lost"
# A resumed node learns it lost the lease from whichever comes first: its heartbeat, or a write refused.
NOTICED = "lost the lease on run-task:{}; another node may run it"

SPACE = """
environments: [Dev]
projects:
  - name: Fenced
    process:
      - {name: Long, type: script, script: "echo long"}
      - {name: After, type: script, script: "echo after"}
"""


async def test_a_stalled_worker_whose_lease_expired_cannot_write_over_the_new_owner(db_url, tmp_path, caplog):
    clock = FakeClock()
    services = build_services(make_settings(db_url, tmp_path / "data", lease_seconds=LEASE_SECONDS), clock=clock)
    entered, release_stale = asyncio.Event(), asyncio.Event()
    calls: list[str] = []

    async def script(ctx: StepContext) -> StepOutcome:
        calls.append(ctx.step.name)
        if len(calls) == 1:  # the first owner's run of "Long" stalls until the test lets it go
            entered.set()
            await release_stale.wait()
            await ctx.log.write("written by the stale owner")
        return Succeeded({"ran": str(len(calls))})

    services.orchestrator.executors = {StepType.SCRIPT: script}
    handlers = services.worker.handlers
    stale = Worker(services.store, clock, handlers, lease_seconds=LEASE_SECONDS, node_id="node-stale")
    new_owner = Worker(services.store, clock, handlers, lease_seconds=LEASE_SECONDS, node_id="node-new")
    stale.heartbeat_seconds = 3600.0  # stalled: it renews nothing while the clock moves on
    try:
        await apply_yaml(services, SPACE)
        deployment = await deploy_in_process(services, await release_of(services, "Fenced"), "Dev")
        stale_run = asyncio.create_task(stale.run_until_idle())
        await entered.wait()

        clock.advance(seconds=LEASE_SECONDS + 1)
        await new_owner.run_until_idle()
        task, runs = await task_of(services, deployment)
        assert task.state is TaskState.SUCCESS

        with caplog.at_level(logging.WARNING, logger="seaway.worker"):
            release_stale.set()
            await asyncio.wait_for(stale_run, 10)

        assert REFUSED.format(task.id) in caplog.messages
        task_after, runs_after = await task_of(services, deployment)
        assert (task_after, runs_after) == (task, runs)  # nothing of the stale owner's landed
        assert [(r.name, r.state, r.attempts) for r in runs_after] == [
            ("Long", StepState.SUCCEEDED, 2),
            ("After", StepState.SUCCEEDED, 1),
        ]
        assert calls == ["Long", "Long", "After"]
        assert "written by the stale owner" not in await log_of(services, deployment)
    finally:
        await services.close()


def fenced_space(runs) -> str:
    """`Long`'s first run tells the test it runs (the fifo), outlives its stopped server a moment, and prints;
    its second run, on the new owner, only prints."""
    flag, fifo = runs / "first-run", runs / "running"
    script = f"""\
echo x >> {runs / "Long"}
if [ ! -e {flag} ]; then
  touch {flag}
  echo running > {fifo}
  sleep 0.5
  echo "printed by the stale owner's run"
  exit 0
fi
echo "printed by the new owner's run"
"""
    after = f"echo x >> {runs / 'After'}\necho after"
    document = {
        "environments": ["Dev"],
        "projects": [
            {
                "name": "Fenced",
                "process": [
                    {"name": "Long", "type": "script", "script": script},
                    {"name": "After", "type": "script", "script": after},
                ],
            }
        ],
    }
    return yaml.safe_dump(document)


async def wait_for_line(node: Node, *texts: str, timeout: float = 20) -> None:
    """Wait until the server printed one of `texts` (its output is read by a thread; nothing else tells)."""
    async with asyncio.timeout(timeout):
        while not any(text in node.log for text in texts):
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_server_stopped_past_its_lease_is_refused_when_it_resumes(db_url, tmp_path):
    runs, data = tmp_path / "runs", tmp_path / "data"
    runs.mkdir()
    os.mkfifo(runs / "running")
    api_key = await prepare(db_url, data, fenced_space(runs))
    env = server_env(db_url, data)
    stale, new_owner = Node(env), Node(env)
    stale.start()
    try:
        with stale.client(api_key) as api:
            deployed = deploy(api, "Fenced")
        await asyncio.wait_for(asyncio.to_thread((runs / "running").read_text), timeout=30)
        stale.pause()  # its script runs on and ends while its server is stopped

        new_owner.start()
        with new_owner.client(api_key) as api:
            task, messages = finished(api, deployed)
            stale.resume()
            task_number = parse_id("task", deployed.task_id)
            await wait_for_line(stale, REFUSED.format(task_number), NOTICED.format(task_number))
            task_after, messages_after = finished(api, deployed)
    finally:
        stale.resume()
        stale.stop()
        new_owner.stop()

    assert task["state"] == "success", task
    assert (task_after, messages_after) == (task, messages)
    assert [(s["name"], s["state"], s["attempts"]) for s in task["steps"]] == [
        ("Long", "succeeded", 2),
        ("After", "succeeded", 1),
    ]
    assert "printed by the new owner's run" in messages
    assert "printed by the stale owner's run" not in messages
    assert runs_of(runs, "Long", "After") == {"Long": 2, "After": 1}
