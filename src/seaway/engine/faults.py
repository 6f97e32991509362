"""Named crash points, for the tests that prove a node may die anywhere without losing or repeating work.

`SEAWAY_FAULT=after-claim` (or `after-claim:3`, the third time) makes the process kill itself with SIGKILL
when it reaches that point, so it gets no chance to clean up, as when a machine loses power. It is honoured
only with `SEAWAY_FAULTS_ENABLED=true`, which nothing but a test sets; otherwise every point is a no-op.
"""

from __future__ import annotations

import os
import signal

from seaway.errors import InvalidInput

AFTER_CLAIM = "after-claim"  # the claim transaction committed; nothing of the item ran yet
AFTER_STEP_SIDE_EFFECT = "after-step-side-effect"  # a group's steps ran; their results are not committed
BEFORE_COMPLETE = "before-complete"  # inside the transaction that ends the task, before its commit
AFTER_DECISION_COMMIT = "after-decision-commit"  # a decision committed; the API has not answered yet
MID_LOG_FLUSH = "mid-log-flush"  # a live log flush wrote its lines; its transaction has not committed

POINTS = (AFTER_CLAIM, AFTER_STEP_SIDE_EFFECT, BEFORE_COMPLETE, AFTER_DECISION_COMMIT, MID_LOG_FLUSH)


class FaultPoints:
    """Where this process kills itself, if anywhere: built once at start, passed to the parts that have points."""

    def __init__(self, point: str | None = None, nth: int = 1) -> None:
        if point is not None and point not in POINTS:
            raise InvalidInput(f"unknown fault point {point!r}; one of {', '.join(POINTS)}", field="SEAWAY_FAULT")
        if nth < 1:
            raise InvalidInput("the count after ':' must be 1 or more", field="SEAWAY_FAULT")
        self.point = point
        self._remaining = nth

    @classmethod
    def parse(cls, spec: str | None, *, enabled: bool) -> FaultPoints:
        """`name` or `name:n`; ignored (no faults) unless `enabled`."""
        if not enabled or not spec:
            return cls()
        name, _, count = spec.partition(":")
        try:
            nth = int(count) if count else 1
        except ValueError:
            raise InvalidInput(f"not a count: {count!r}", field="SEAWAY_FAULT") from None
        return cls(name.strip(), nth)

    def reached(self, name: str) -> None:
        if name != self.point:
            return
        self._remaining -= 1
        if self._remaining == 0:
            os.kill(os.getpid(), signal.SIGKILL)


NO_FAULTS = FaultPoints()
