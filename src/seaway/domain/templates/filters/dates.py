"""`NowDate`, `NowDateUtc`, `AddHours`, `AddDays` and `Format`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation

from seaway.domain.templates.filters.context import FilterContext
from seaway.domain.templates.filters.net_date_format import FormatError, format_date
from seaway.domain.templates.filters.net_dates import (
    NetDate,
    parse_datetime,
    parse_datetimeoffset,
    parse_with_zone,
)
from seaway.domain.templates.filters.net_number_format import Number, NumberKind, format_number
from seaway.domain.templates.names import WHITESPACE_CHARS
from seaway.domain.templates.net_double import parse_double, parse_int32

# decimal.TryParse (NumberStyles.Number): sign before or after, group separators, no exponent.
_DECIMAL = re.compile(r"([+-]?)((?:[0-9][0-9,]*)?(?:\.[0-9]*)?)([+-]?)")
_ROUND_TRIP = "O"


def _parse_decimal(text: str) -> Decimal | None:
    match = _DECIMAL.fullmatch(text.strip(WHITESPACE_CHARS))
    if not match:
        return None
    lead, digits, trail = match.groups()
    if (lead and trail) or not any(c.isdigit() for c in digits):
        return None
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None
    if abs(value) >= Decimal(2) ** 96:
        return None
    return -value if "-" in (lead, trail) else value


def now_date(argument: str | None, options: Sequence[str], context: FilterContext) -> str | None:
    """Local now, in round-trip format without an offset, or in the given format."""
    if argument is not None or len(options) > 1:
        return None
    local = context.now.astimezone(context.local_zone)
    value = NetDate(local.replace(tzinfo=None), "unspecified")
    return _format(value, options[0] if options else _ROUND_TRIP, context)


def now_date_utc(argument: str | None, options: Sequence[str], context: FilterContext) -> str | None:
    if argument is not None or len(options) > 1:
        return None
    value = NetDate(context.now.astimezone(UTC).replace(tzinfo=None), "utc")
    return _format(value, options[0] if options else _ROUND_TRIP, context)


def _format(value: NetDate, fmt: str, context: FilterContext) -> str | None:
    try:
        return format_date(value, fmt, context.local_zone)
    except (FormatError, ValueError, OverflowError):
        return None


def _shift(argument: str | None, options: Sequence[str], context: FilterContext, unit: timedelta) -> str | None:
    if argument is None or len(options) != 1:
        return None
    amount = parse_double(options[0], thousands=False)
    value = parse_with_zone(argument, context.local_zone, context.now)
    if amount is None or value is None:
        return None
    try:
        return _format(value.shifted(unit * amount), _ROUND_TRIP, context)
    except (OverflowError, ValueError):
        return None


def add_hours(argument: str | None, options: Sequence[str], context: FilterContext) -> str | None:
    return _shift(argument, options, context, timedelta(hours=1))


def add_days(argument: str | None, options: Sequence[str], context: FilterContext) -> str | None:
    return _shift(argument, options, context, timedelta(days=1))


def _typed_number(text: str, kind: NumberKind) -> Number | None:
    if kind == "int":
        return parse_int32(text)
    if kind == "double":
        return parse_double(text)
    return _parse_decimal(text)


def format_filter(argument: str | None, options: Sequence[str], context: FilterContext) -> str | None:
    """`Format fmt` (a number if the input is one, else a date), or `Format type fmt`."""
    if argument is None or not 1 <= len(options) <= 2:
        return None
    local, now = context.local_zone, context.now
    try:
        if len(options) == 1:
            number = _parse_decimal(argument)
            if number is not None:
                return format_number(number, "decimal", options[0])
            offset_date = parse_datetimeoffset(argument, local, now)
            return None if offset_date is None else format_date(offset_date, options[0], local)
        kind, fmt = options[0].lower(), options[1]
        if kind in ("int", "int32", "double", "decimal"):
            number_kind: NumberKind = "int" if kind in ("int", "int32") else kind  # type: ignore[assignment]
            typed = _typed_number(argument, number_kind)
            return None if typed is None else format_number(typed, number_kind, fmt)
        if kind in ("date", "datetime"):
            date = parse_datetime(argument, local, now)
            return None if date is None else format_date(date, fmt, local)
        if kind == "datetimeoffset":
            offset_date = parse_datetimeoffset(argument, local, now)
            return None if offset_date is None else format_date(offset_date, fmt, local)
    except (FormatError, ValueError, OverflowError, ArithmeticError):
        return None
    return None
