"""A rolling step runs its children as a unit on `window` targets at a time, started in name order, and stops
rolling on a failure; counted with a rendezvous, no timing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures.machines import ListedMachines, Rendezvous, counting_machines
from tests.fixtures.step_logs import RecordedLog

from seaway.domain.process import Step, StepType
from seaway.engine.variables import StepRenderer
from seaway.steps.base import Failed, StepContext, Succeeded
from seaway.steps.noop import run_noop
from seaway.steps.rolling import make_rolling_step
from seaway.steps.script import make_script_step

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ON_MACHINE = {StepType.SCRIPT: lambda target: make_script_step(target, 60), StepType.NOOP: lambda target: run_noop}


def rolling(window: int, *children: Step) -> Step:
    return Step("Roll", StepType.ROLLING, {"roles": ["web"], "rolling": {"window": window}}, children=children)


def script(name: str, text: str) -> Step:
    return Step(name, StepType.SCRIPT, {"script": text})


def context(tmp_path: Path, step: Step) -> StepContext:
    return StepContext(
        task_id=7,
        step_index=0,
        step=step,
        environment="Test",
        variables={},
        render=StepRenderer({}, lambda message: None, NOW),
        render_with=lambda extra: StepRenderer(dict(extra), lambda message: None, NOW),
        log=RecordedLog(),
        workdir=tmp_path / "work",
        cancel=asyncio.Event(),
        now=lambda: NOW,
    )


async def rolled(tmp_path: Path, targets: int, window: int, *children: Step):
    """The outcome of a rolling step over `targets` counting targets, with its rendezvous and context."""
    rendezvous = Rendezvous(limit=window)
    ctx = context(tmp_path, rolling(window, *children))
    outcome = await make_rolling_step(counting_machines(targets, rendezvous), ON_MACHINE)(ctx)
    return outcome, rendezvous, ctx


async def test_children_run_as_a_unit_on_window_targets_at_a_time_in_name_order(tmp_path):
    outcome, rendezvous, ctx = await rolled(
        tmp_path,
        5,
        2,
        script("Drain", 'set_octopusvariable "Drained" "#{Octopus.Machine.Name}"'),
        script("Deploy", 'echo "deployed #{Octopus.Machine.Name} after #{Octopus.Action.Name}"'),
    )

    assert isinstance(outcome, Succeeded), outcome
    assert rendezvous.most == 2
    first_runs = list(dict.fromkeys(rendezvous.started))
    assert first_runs == ["web-01", "web-02", "web-03", "web-04", "web-05"]
    assert all(rendezvous.started.count(name) == 2 for name in first_runs)  # both children on each target
    lines = ctx.log.text()  # type: ignore[attr-defined]
    assert lines.index("[web-03] -- Drain") < lines.index("[web-03] -- Deploy") < lines.index("[web-03] deployed")
    assert outcome.outputs["[web-04].Drain.Drained"] == "web-04"
    assert outcome.outputs["Drained"] == "web-05"


async def test_a_failure_stops_the_rolling_and_names_the_target(tmp_path):
    outcome, rendezvous, ctx = await rolled(
        tmp_path,
        4,
        1,
        script("Check", '[ "#{Octopus.Machine.Name}" = web-02 ] && exit 3; echo checked'),
        script("Deploy", "echo deployed"),
    )

    assert isinstance(outcome, Failed)
    assert outcome.error == "failed on 1 of 4 target(s): web-02: Check: the script exited with code 3"
    assert rendezvous.started == ["web-01", "web-01", "web-02"]  # web-02's Deploy, web-03 and web-04 never ran
    text = ctx.log.text()  # type: ignore[attr-defined]
    assert "Stopped rolling after a failure; not started on: web-03, web-04" in text


async def test_a_child_of_a_type_that_cannot_run_on_targets_fails_the_step(tmp_path):
    machines = ListedMachines(counting_machines(1, Rendezvous(limit=1)).machines)
    step = rolling(1, Step("Mail", StepType.SEND_EMAIL, {"subject": "hi"}))

    outcome = await make_rolling_step(machines, ON_MACHINE)(context(tmp_path, step))

    assert isinstance(outcome, Failed)
    assert 'Mail: a "send-email" step cannot run on targets on this server' in outcome.error
