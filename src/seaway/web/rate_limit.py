"""Counting failures per key (a client IP, a user name) in a sliding window, to slow down guessing.

Approval-link tokens and passwords are checked against attempts from the network; without a limit an
attacker could try candidates as fast as the server answers. Only failures are counted, so a person who
uses their own link or password is never slowed down by someone else's successes.

The counts live in this process's memory: each node limits on its own, which bounds guessing per node
without a shared write on every request. Memory is bounded by `max_keys`; when full, the keys whose
newest failure is oldest are forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta

from seaway.engine.clock import Clock


class RateLimiter:
    def __init__(self, clock: Clock, *, limit: int, window: timedelta = timedelta(minutes=1), max_keys: int = 10_000):
        self.clock = clock
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        # key → times of its failures inside the window, oldest first; keys ordered by their newest failure.
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def blocked(self, key: str) -> bool:
        """True when `key` has used up its failures for the current window."""
        times = self._failures.get(key)
        if times is None:
            return False
        self._forget_old(key, times, self.clock.now())
        return len(times) >= self.limit

    def failed(self, key: str) -> None:
        """Count one failure for `key`."""
        now = self.clock.now()
        times = self._failures.get(key)
        if times is None:
            times = self._failures[key] = deque()
        else:
            self._failures.move_to_end(key)
            self._forget_old(key, times, now)
            times = self._failures.setdefault(key, times)
        times.append(now)
        while len(times) > self.limit:  # older failures beyond the limit change nothing
            times.popleft()
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def _forget_old(self, key: str, times: deque[datetime], now: datetime) -> None:
        cutoff = now - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
