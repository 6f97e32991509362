"""Dates as .NET reads them (`DateTime.TryParse`, `DateTimeOffset.TryParse`, invariant culture).

.NET's parser is lenient; this one accepts the forms deployment variables actually hold: ISO 8601
(`2030-05-22T09:05:00.1234567+02:00`), `2030/05/22 09:05:00`, the invariant `05/22/2030 09:05`,
month names (`22 May 2030`, `May 22, 2030`, RFC 1123 `Wed, 22 May 2030 09:05:00 GMT`) and a time
alone (today's date). "Local" time is the zone of the evaluation's `now`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NUMBERS = (
    {name[:3].lower(): i + 1 for i, name in enumerate(MONTHS)}
    | {name.lower(): i + 1 for i, name in enumerate(MONTHS)}
    | {"sept": 9}
)
_DAY_NAMES = {name.lower() for name in DAYS} | {name[:3].lower() for name in DAYS}

Kind = Literal["unspecified", "utc", "local"]


@dataclass(frozen=True, slots=True)
class NetDate:
    """A .NET `DateTime` (offset None) or `DateTimeOffset` (offset set).

    `wall` is the naive clock reading; `tick` is the seventh fraction digit (100 ns), which
    Python's microseconds cannot hold but round-trip formats print.
    """

    wall: datetime
    kind: Kind = "unspecified"
    offset: timedelta | None = None
    tick: int = 0

    def shifted(self, by: timedelta) -> NetDate:
        return replace(self, wall=self.wall + by)


@dataclass(frozen=True, slots=True)
class _Parsed:
    wall: datetime
    tick: int
    zone: timedelta | None  # None: no zone written
    utc: bool  # written as `Z`, `GMT` or `UTC`


_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,7})\d*)?)?"
_AMPM = r"(?:\s*(?P<ampm>[AaPp][Mm]))?"
_ZONE = r"(?:\s*(?P<zone>[Zz]|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?))?"
_TAIL = rf"(?:(?:\s+|\s*[Tt]\s*){_TIME}{_AMPM})?{_ZONE}"
_NUMERIC_FORMS = (
    re.compile(rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})(?:-(?P<day>\d{{1,2}}))?{_TAIL}"),
    re.compile(rf"(?P<year>\d{{4}})[/.](?P<month>\d{{1,2}})[/.](?P<day>\d{{1,2}}){_TAIL}"),
    re.compile(rf"(?P<month>\d{{1,2}})[/.-](?P<day>\d{{1,2}})[/.-](?P<year>\d{{2}}|\d{{4}}){_TAIL}"),
    re.compile(rf"{_TIME}{_AMPM}{_ZONE}"),
)
_WORD_FORMS = (
    # 22 May 2030, 22-May-2030, Wed, 22 May 2030 09:05:00 GMT
    re.compile(
        rf"(?:(?P<dayname>[A-Za-z]+),?\s+)?(?P<day>\d{{1,2}})[\s-]+(?P<monthname>[A-Za-z]+)\.?[\s,-]+"
        rf"(?P<year>\d{{4}}){_TAIL}"
    ),
    # May 22, 2030 / Wednesday, May 22, 2030 9:05 PM
    re.compile(
        rf"(?:(?P<dayname>[A-Za-z]+),?\s+)?(?P<monthname>[A-Za-z]+)\.?\s+(?P<day>\d{{1,2}}),?\s+"
        rf"(?P<year>\d{{4}}){_TAIL}"
    ),
    # May 2030
    re.compile(rf"(?P<monthname>[A-Za-z]+)\.?\s+(?P<year>\d{{4}}){_TAIL}"),
)


def _zone(text: str | None) -> tuple[timedelta | None, bool]:
    if text is None:
        return None, False
    if text.upper() in ("Z", "GMT", "UTC"):
        return timedelta(0), True
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    if int(hours) > 14 or int(minutes) > 59:
        raise ValueError(text)
    return sign * timedelta(hours=int(hours), minutes=int(minutes)), False


def _year(text: str) -> int:
    year = int(text)
    # .NET's two-digit year window ends at 2049.
    if len(text) == 2:
        year += 2000 if year <= 49 else 1900
    return year


def _build(groups: dict[str, str | None], today: date) -> _Parsed:
    month_name, month_number = groups.get("monthname"), groups.get("month")
    year_text, day_text = groups.get("year"), groups.get("day")
    if month_name is not None:
        month = _MONTH_NUMBERS.get(month_name.lower())
        if month is None:
            raise ValueError("month")
    else:
        month = int(month_number) if month_number else today.month
    dayname = groups.get("dayname")
    if dayname is not None and dayname.lower() not in _DAY_NAMES:
        raise ValueError("day name")
    year = _year(year_text) if year_text else today.year
    day = int(day_text) if day_text else (1 if year_text else today.day)
    hour = int(groups.get("hour") or 0)
    ampm = (groups.get("ampm") or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour")
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    fraction = (groups.get("fraction") or "").ljust(7, "0")
    # A wall-clock reading: the zone, if one was written, is kept beside it.
    wall = datetime(  # noqa: DTZ001
        year, month, day, hour, int(groups.get("minute") or 0), int(groups.get("second") or 0), int(fraction[:6])
    )
    zone, utc = _zone(groups.get("zone"))
    return _Parsed(wall, int(fraction[6]), zone, utc)


def _parse(text: str, local: tzinfo, now: datetime) -> _Parsed | None:
    body = text.strip()
    today = now.astimezone(local).date()
    for pattern in (*_NUMERIC_FORMS, *_WORD_FORMS):
        match = pattern.fullmatch(body)
        if match:
            try:
                return _build(match.groupdict(), today)
            except ValueError:
                return None
    return None


def local_offset(wall: datetime, local: tzinfo) -> timedelta:
    offset = wall.replace(tzinfo=local).utcoffset()
    return offset if offset is not None else timedelta(0)


def parse_datetime(text: str, local: tzinfo, now: datetime) -> NetDate | None:
    """`DateTime.TryParse`: a date written with a zone is converted to local time (kind local)."""
    parsed = _parse(text, local, now)
    if parsed is None:
        return None
    if parsed.zone is None:
        return NetDate(parsed.wall, "unspecified", None, parsed.tick)
    instant = (parsed.wall - parsed.zone).replace(tzinfo=UTC)
    return NetDate(instant.astimezone(local).replace(tzinfo=None), "local", None, parsed.tick)


def parse_datetimeoffset(text: str, local: tzinfo, now: datetime) -> NetDate | None:
    """`DateTimeOffset.TryParse`: a date written without a zone gets the local offset."""
    parsed = _parse(text, local, now)
    if parsed is None:
        return None
    offset = parsed.zone if parsed.zone is not None else local_offset(parsed.wall, local)
    return NetDate(parsed.wall, "unspecified", offset, parsed.tick)


def parse_with_zone(text: str, local: tzinfo, now: datetime) -> NetDate | None:
    """The date with the zone it was written in: none (unspecified), `Z` (utc) or an offset."""
    parsed = _parse(text, local, now)
    if parsed is None:
        return None
    if parsed.utc:
        return NetDate(parsed.wall, "utc", None, parsed.tick)
    return NetDate(parsed.wall, "unspecified", parsed.zone, parsed.tick)
