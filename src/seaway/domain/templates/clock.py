"""The evaluation's notion of now."""

from __future__ import annotations

from datetime import UTC, datetime


def resolve_now(now: datetime | None) -> datetime:
    """`now` as a timezone-aware datetime (a naive one is taken to be UTC).

    With no `now`, this reads the system clock: it is the single place the templates package does,
    for callers that pass nothing. Callers that care (the engine, tests) pass their own clock's time.
    """
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
