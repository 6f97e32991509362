"""A policy's `change_windows:` (and the API body of the same shape).

    change_windows:
      - {days: [Mon, Tue, Wed, Thu, Fri], start: "09:00", end: "17:00", timezone: Europe/London}
      - {days: [Sat], start: "22:00", end: "02:00", timezone: UTC}     # an end before the start: overnight
      - {from: "2026-12-05T08:00:00Z", to: "2026-12-05T18:00:00Z"}    # one date range, offsets required

Quote times: YAML 1.1 reads an unquoted 09:00 as a number.
"""

from __future__ import annotations

from seaway.config.reader import Node
from seaway.domain.change_windows import (
    ChangeWindow,
    DateRangeWindow,
    WeeklyWindow,
    parse_clock,
    parse_day,
    parse_instant,
    parse_zone,
    validate_window,
)

WEEKLY_KEYS = {"days", "start", "end", "timezone"}
RANGE_KEYS = {"from", "to"}


def parse_windows(node: Node) -> tuple[ChangeWindow, ...]:
    return tuple(parse_window(n) for n in node.items())


def parse_window(node: Node) -> ChangeWindow:
    if isinstance(node.value, dict) and ("from" in node.value or "to" in node.value):
        m = node.mapping(RANGE_KEYS, RANGE_KEYS)
        start = parse_instant(written_text(m["from"]), field=m["from"].path)
        window: ChangeWindow = DateRangeWindow(start, parse_instant(written_text(m["to"]), field=m["to"].path))
        return validate_window(window, path=node.path)
    m = node.mapping(WEEKLY_KEYS, WEEKLY_KEYS)
    days = tuple(sorted({parse_day(n.string(), field=n.path) for n in m["days"].items()}))
    window = WeeklyWindow(
        days=days,
        start=parse_clock(written_text(m["start"]), field=m["start"].path),
        end=parse_clock(written_text(m["end"]), field=m["end"].path),
        timezone=parse_zone(m["timezone"].string(), field=m["timezone"].path),
    )
    return validate_window(window, path=node.path)


def written_text(node: Node) -> str:
    """A time or instant as written; YAML may have read an unquoted one as a number or a datetime."""
    if isinstance(node.value, int) and not isinstance(node.value, bool):
        raise node.fail('write times of day in quotes ("09:00"): unquoted, YAML reads them as numbers')
    if hasattr(node.value, "isoformat"):
        return str(node.value.isoformat())
    return node.string()
