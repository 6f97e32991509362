"""`seaway agent run`: every registration of the directory polls for its work, at once, until stopped.

A registration the server refuses (revoked, its target deleted or disabled) or whose server presents
another certificate stops with one line saying so; the others go on. A server out of reach is asked again
after a pause that grows to a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from seaway.agent.connection import AgentConnection
from seaway.agent.jobs import Jobs
from seaway.agent.registrations import Registration, home_of
from seaway.errors import AuthenticationFailed, CertificateRefused, InvalidInput, ServerUnavailable

log = logging.getLogger("seaway.agent")
MAX_BACKOFF_SECONDS = 60.0


class Stopped(Exception):
    """A registration that cannot go on; its message says why."""


async def serve_registration(
    base: Path, registration: Registration, say: Callable[[str], None], stop: asyncio.Event
) -> str | None:
    """Poll for and run the registration's work until `stop`; the reason it stopped on its own, or None."""
    try:
        connection = AgentConnection(registration)
    except InvalidInput as exc:
        return f"{registration.name}: {exc.message}"
    jobs = Jobs(home_of(base, registration.name), connection)
    running: dict[int, asyncio.Task[None]] = {}
    backoff = 1.0
    try:
        while not stop.is_set():
            poll = asyncio.create_task(connection.poll(sorted(running)))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if stop.is_set():
                poll.cancel()
                break
            try:
                answer = poll.result()
            except (AuthenticationFailed, CertificateRefused) as exc:
                return f"{registration.name}: {exc.message}"
            except ServerUnavailable as exc:
                log.warning("%s: %s; asking again in %g s", registration.name, exc.message, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = 1.0
            for work_id in answer.get("cancel", []):
                jobs.cancel(int(work_id))
            for item in answer.get("work", []):
                work_id = int(item["id"])
                if work_id not in running:
                    task = asyncio.create_task(_handle(jobs, item, registration.name))
                    running[work_id] = task
                    task.add_done_callback(_forget(running, work_id))
    finally:
        for task in list(running.values()):
            task.cancel()  # the jobs themselves run on; the next start picks them up again
        await asyncio.gather(*running.values(), return_exceptions=True)
        await connection.close()
    return None


def _forget(running: dict[int, asyncio.Task[None]], work_id: int) -> Callable[[asyncio.Task[None]], None]:
    def forget(_: asyncio.Task[None]) -> None:
        running.pop(work_id, None)

    return forget


async def _handle(jobs: Jobs, item: dict[str, object], name: str) -> None:
    try:
        await jobs.handle(dict(item))
    except (ServerUnavailable, AuthenticationFailed) as exc:
        # The result is kept in the job's directory: the server hands the item out again and it is reported.
        log.warning("%s: could not report work %s: %s", name, item.get("id"), exc.message)


async def run_agent(base: Path, registrations: list[Registration], say: Callable[[str], None]) -> list[str]:
    """Serve every registration until stopped (SIGTERM, SIGINT) or every one has stopped on its own; the
    reasons those stopped."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    say(f"Agent running: {', '.join(r.name for r in registrations)}")
    tasks = [asyncio.create_task(serve_registration(base, r, say, stop)) for r in registrations]
    reasons = []
    for finished in asyncio.as_completed(tasks):
        reason = await finished
        if reason is not None:
            say(f"stopped {reason}")
            reasons.append(reason)
    return reasons
