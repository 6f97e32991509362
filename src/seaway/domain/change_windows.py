"""Change windows: when a gated deployment may start. Weekly (days, a local start and end, an IANA time
zone) or one date range (two instants).

A weekly window is read in its own time zone every week, so 09:00–17:00 Europe/London is 09:00 local on
both sides of a daylight-saving change. An end before the start runs over midnight into the next day. Two
local times need a rule of their own, and both rules keep a window from shrinking:
- a time that does not exist that day (inside the spring-forward gap) is read on the clock as it was
  before the change: 01:30 Europe/London on the last Sunday of March opens at 02:30 BST;
- a time that happens twice (the autumn fall-back) is its first occurrence for a start and its second for
  an end.

A set of windows is open when any of them is; a policy without windows is always open. `next_opening`
and `current_close` answer in aware UTC datetimes, None when there is no such instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from seaway.errors import InvalidInput

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead an opening is looked for, when several policies' windows must all be open at once.
SEARCH_HORIZON = timedelta(days=366 * 2)


@dataclass(frozen=True)
class WeeklyWindow:
    days: tuple[int, ...]  # 0 is Monday, as `date.weekday()`
    start: time
    end: time
    timezone: str


@dataclass(frozen=True)
class DateRangeWindow:
    start: datetime  # aware
    end: datetime


ChangeWindow = WeeklyWindow | DateRangeWindow


@dataclass(frozen=True)
class PolicyWindows:
    """One policy's windows; a deployment must be inside those of every policy that has any."""

    policy: str
    windows: tuple[ChangeWindow, ...]


# -- reading local times --------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _instant(day: date, at: time, zone: ZoneInfo, *, is_end: bool) -> datetime:
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) != naive:  # in the gap: the clock before the change
        return first
    return max(first, second) if is_end else min(first, second)


def intervals(window: ChangeWindow, around: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The window's [opening, close) intervals that may contain or follow `around`, in order of opening."""
    if isinstance(window, DateRangeWindow):
        yield window.start.astimezone(UTC), window.end.astimezone(UTC)
        return
    zone = _zone(window.timezone)
    today = around.astimezone(zone).date()
    for offset in range(-2, 9):
        day = today + timedelta(days=offset)
        if day.weekday() not in window.days:
            continue
        end_day = day + timedelta(days=1) if window.end <= window.start else day
        yield _instant(day, window.start, zone, is_end=False), _instant(end_day, window.end, zone, is_end=True)


def _all_intervals(windows: Iterable[ChangeWindow], around: datetime) -> list[tuple[datetime, datetime]]:
    return sorted(span for w in windows for span in intervals(w, around) if span[0] < span[1])


def is_open(windows: Sequence[ChangeWindow], now: datetime) -> bool:
    if not windows:
        return True
    return any(opens <= now < closes for opens, closes in _all_intervals(windows, now))


def next_opening(windows: Sequence[ChangeWindow], now: datetime) -> datetime | None:
    """The first instant at or after `now` when one of `windows` is open; `now` itself when one is."""
    if is_open(windows, now):
        return now
    later = [opens for opens, _ in _all_intervals(windows, now) if opens > now]
    return min(later) if later else None


def current_close(windows: Sequence[ChangeWindow], now: datetime) -> datetime | None:
    """When the open windows close (windows that overlap or meet count as one); None when none is open."""
    if not windows:
        return None
    containing = [ends for opens, ends in _all_intervals(windows, now) if opens <= now < ends]
    if not containing:
        return None
    closes = max(containing)
    limit = now + SEARCH_HORIZON  # windows that chain round the clock are open until this far ahead
    while closes < limit:
        following = [ends for opens, ends in _all_intervals(windows, closes) if opens <= closes < ends]
        if not following:
            break
        closes = max(following)
    return closes


# -- several policies at once ----------------------------------------------------------------------


def all_open(each: Sequence[PolicyWindows], now: datetime) -> bool:
    return all(is_open(p.windows, now) for p in each)


def first_closed(each: Sequence[PolicyWindows], now: datetime) -> PolicyWindows | None:
    return next((p for p in each if not is_open(p.windows, now)), None)


def next_common_opening(each: Sequence[PolicyWindows], now: datetime) -> datetime | None:
    """The first instant at or after `now` inside the windows of every policy; None within the horizon."""
    moment = now
    while moment - now <= SEARCH_HORIZON:
        closed = first_closed(each, moment)
        if closed is None:
            return moment
        opening = next_opening(closed.windows, moment)
        if opening is None:
            return None
        moment = opening
    return None


def common_close(each: Sequence[PolicyWindows], now: datetime) -> datetime | None:
    """When the first of the policies' open windows closes; None when not all are open or none has windows."""
    closes = [current_close(p.windows, now) for p in each]
    if not closes or any(c is None for c in closes):
        return None
    return min(c for c in closes if c is not None)


# -- describing ------------------------------------------------------------------------------------


def _days_text(days: Sequence[int]) -> str:
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAYS[ordered[0]]}–{DAYS[ordered[-1]]}"
    return ", ".join(DAYS[d] for d in ordered)


def describe(window: ChangeWindow) -> str:
    """`Mon–Fri 09:00–17:00 Europe/London`, or `2026-12-05 08:00 UTC – 2026-12-05 18:00 UTC`."""
    if isinstance(window, DateRangeWindow):
        return f"{local_text(window.start, 'UTC')} – {local_text(window.end, 'UTC')}"
    return f"{_days_text(window.days)} {window.start:%H:%M}–{window.end:%H:%M} {window.timezone}"


def describe_all(windows: Sequence[ChangeWindow]) -> str:
    return "; ".join(describe(w) for w in windows)


def describe_windows(each: Sequence[PolicyWindows]) -> str:
    return "; ".join(f"{p.policy}: {describe_all(p.windows)}" for p in each)


def local_text(instant: datetime, zone: str) -> str:
    """`2026-12-07 09:00 GMT`: an instant on the clock of a window's time zone."""
    return instant.astimezone(_zone(zone)).strftime("%Y-%m-%d %H:%M %Z")


def zone_of(windows: Sequence[ChangeWindow]) -> str:
    """The time zone an opening is shown in: the first weekly window's, else UTC."""
    return next((w.timezone for w in windows if isinstance(w, WeeklyWindow)), "UTC")


# -- reading and validating ------------------------------------------------------------------------


def parse_day(text: str, *, field: str) -> int:
    for index, name in enumerate(DAYS):
        if text.strip().lower() in (name.lower(), _FULL_DAYS[index]):
            return index
    raise InvalidInput(f'"{text}" is not a day (expected one of {", ".join(DAYS)})', field=field)


def parse_clock(text: str, *, field: str) -> time:
    hours, colon, minutes = text.strip().partition(":")
    if (
        colon
        and len(hours) == 2
        and len(minutes) == 2
        and (hours + minutes).isascii()
        and (hours + minutes).isdigit()
        and int(hours) < 24
        and int(minutes) < 60
    ):
        return time(int(hours), int(minutes))
    raise InvalidInput(f'"{text}" is not a time of day (expected HH:MM, 00:00 to 23:59)', field=field)


def parse_zone(text: str, *, field: str) -> str:
    try:
        return _zone(text.strip()).key
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f'"{text}" is not a known IANA time zone (e.g. Europe/London)', field=field) from None


def parse_instant(text: str, *, field: str) -> datetime:
    """An ISO 8601 date and time with its offset (`2026-12-05T08:00:00Z`), as UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f'"{text}" is not an ISO 8601 date and time', field=field) from None
    if parsed.tzinfo is None:
        raise InvalidInput(f'"{text}" needs an offset or Z (e.g. 2026-12-05T08:00:00Z)', field=field)
    return parsed.astimezone(UTC)


def validate_window(window: ChangeWindow, *, path: str) -> ChangeWindow:
    if isinstance(window, DateRangeWindow):
        if window.end <= window.start:
            raise InvalidInput("a date range must end after it starts", field=f"{path}.to")
        return window
    if not window.days:
        raise InvalidInput("a weekly window needs at least one day", field=f"{path}.days")
    if window.start == window.end:
        raise InvalidInput("a window's end must differ from its start", field=f"{path}.end")
    return window


# -- JSON ------------------------------------------------------------------------------------------


def window_to_json(window: ChangeWindow) -> dict[str, object]:
    if isinstance(window, DateRangeWindow):
        return {"from": window.start.astimezone(UTC).isoformat(), "to": window.end.astimezone(UTC).isoformat()}
    return {
        "days": [DAYS[d] for d in window.days],
        "start": f"{window.start:%H:%M}",
        "end": f"{window.end:%H:%M}",
        "timezone": window.timezone,
    }


def window_from_json(data: Mapping[str, Any]) -> ChangeWindow:
    if "from" in data:
        return DateRangeWindow(datetime.fromisoformat(str(data["from"])), datetime.fromisoformat(str(data["to"])))
    return WeeklyWindow(
        days=tuple(DAYS.index(str(d)) for d in data["days"]),
        start=time.fromisoformat(str(data["start"])),
        end=time.fromisoformat(str(data["end"])),
        timezone=str(data["timezone"]),
    )


def windows_to_json(each: Sequence[PolicyWindows]) -> list[dict[str, object]]:
    return [{"policy": p.policy, "windows": [window_to_json(w) for w in p.windows]} for p in each]


def windows_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[PolicyWindows, ...]:
    return tuple(PolicyWindows(str(p["policy"]), tuple(window_from_json(w) for w in p["windows"])) for p in data)
