"""Work a server does on a schedule while it runs (audit checkpoints, the feed's housekeeping)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable


async def repeat(
    tick: Callable[[], Awaitable[object]], seconds: float, stop: asyncio.Event, *, what: str, log: logging.Logger
) -> None:
    """`tick()` now and every `seconds` until `stop`; a failed tick is logged and tried again next time."""
    while not stop.is_set():
        try:
            await tick()
        except Exception:  # a database that is away for a while must not stop the server
            log.exception("%s failed; trying again in %g s", what, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
