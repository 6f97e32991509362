"""The engine's own measurements: what only the process that did the work can observe.

One `EngineMetrics` per set of services (never prometheus_client's global registry, so several apps in one
process keep apart); the web layer registers it in its registry and serves it at /metrics. Counts that the
database already holds (tasks by state, queue depth, …) are read at scrape time instead, in the web layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import Counter, Histogram
from prometheus_client.metrics_core import Metric

from seaway.domain.states import StepState
from seaway.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from seaway.engine.task_runs import TaskRun

# Steps run from under a second (a no-op) to hours (a script with a long timeout, a sign-off).
STEP_SECONDS_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0)
_RAN = frozenset({StepState.SUCCEEDED, StepState.FAILED, StepState.CANCELED})


class EngineMetrics:
    def __init__(self) -> None:
        self.step_seconds = Histogram(
            "seaway_step_duration_seconds",
            "How long steps took from start to end, by step type (observed on the node that ended the task).",
            ["step_type"],
            buckets=STEP_SECONDS_BUCKETS,
            registry=None,
        )
        self.lease_takeovers = Counter(
            "seaway_lease_takeovers",
            "Work items this node claimed whose previous owner's lease had expired (that node died or stalled).",
            registry=None,
        )

    def step_finished(self, step_type: str, seconds: float) -> None:
        self.step_seconds.labels(step_type=step_type).observe(max(seconds, 0.0))

    def lease_taken_over(self) -> None:
        self.lease_takeovers.inc()

    # A prometheus_client collector: registries call these.
    def collect(self) -> Iterable[Metric]:
        yield from self.step_seconds.collect()
        yield from self.lease_takeovers.collect()

    def describe(self) -> Iterable[Metric]:
        return self.collect()


class ObserveStepDurations:
    """An orchestrator `on_finished` hook: when a task ends, each step that ran is observed once, after the
    commit that ended the task (a rolled-back end observes nothing; the retry observes it then)."""

    def __init__(self, metrics: EngineMetrics) -> None:
        self.metrics = metrics

    async def __call__(self, uow: UnitOfWork, run: TaskRun) -> None:
        observed: list[tuple[str, float]] = []
        for step_run in run.runs:
            if step_run.state not in _RAN or step_run.started_at is None or step_run.finished_at is None:
                continue
            if step_run.index >= len(run.release.process):
                continue
            step_type = str(run.release.process[step_run.index].type)
            observed.append((step_type, (step_run.finished_at - step_run.started_at).total_seconds()))
        if observed:
            uow.after_commit(lambda: self._observe(observed))

    def _observe(self, observed: list[tuple[str, float]]) -> None:
        for step_type, seconds in observed:
            self.metrics.step_finished(step_type, seconds)
