""".NET format strings for numbers and dates, and .NET-style parsing, as `Format`/`AddHours` use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from seaway.domain.templates.filters.net_date_format import FormatError, format_date
from seaway.domain.templates.filters.net_dates import NetDate, parse_datetime, parse_datetimeoffset, parse_with_zone
from seaway.domain.templates.filters.net_number_format import NumberKind, format_number
from seaway.domain.templates.net_double import format_double, parse_double, parse_int32

LOCAL = timezone(timedelta(hours=2))
NOW = datetime(2030, 5, 22, 7, 0, tzinfo=UTC)
WALL = NetDate(datetime(2030, 5, 22, 9, 5, 3, 120000))


@pytest.mark.parametrize(
    ("value", "kind", "fmt", "expected"),
    [
        (Decimal("1234.5678"), "decimal", "#,##0.00", "1,234.57"),
        (Decimal("0"), "decimal", "#.##", ""),
        (1234567890, "int", "(###) ###-####", "(123) 456-7890"),
        (12345, "int", "0.00E+00", "1.23E+04"),
        (Decimal("0.12"), "decimal", "0%", "12%"),
        (1234567, "int", "#,,", "1"),
        (-5, "int", "0;(0)", "(5)"),
        (0, "int", "0;(0);zero", "zero"),
        (Decimal("23.4"), "decimal", "C", "¤23.40"),
        (Decimal("23.40"), "decimal", "G", "23.40"),
        (Decimal("2.5"), "decimal", "F0", "3"),
        (0.123, "double", "P", "12.30 %"),
        (-1, "int", "X", "FFFFFFFF"),
        (12345.6789, "double", "E", "1.234568E+004"),
        (12345, "int", "G3", "1.23E+04"),
        (2.675, "double", "F2", "2.67"),
        (2.675, "double", "0.00", "2.68"),
        (-123, "int", "D5", "-00123"),
        (42, "int", "'#'0", "#42"),
        (0.001234, "double", "0.00e-0", "1.23e-3"),
        (Decimal("1"), "decimal", "yyyy", "yyyy"),
    ],
)
def test_numbers_format_as_in_dotnet(value: int | float | Decimal, kind: NumberKind, fmt: str, expected: str) -> None:
    assert format_number(value, kind, fmt) == expected


@pytest.mark.parametrize(
    ("value", "kind", "fmt"), [(1.5, "double", "D"), (Decimal(1), "decimal", "X"), (1, "int", "R")]
)
def test_formats_dotnet_rejects_raise(value: int | float | Decimal, kind: NumberKind, fmt: str) -> None:
    with pytest.raises(FormatError):
        format_number(value, kind, fmt)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("d", "05/22/2030"),
        ("D", "Wednesday, 22 May 2030"),
        ("g", "05/22/2030 09:05"),
        ("O", "2030-05-22T09:05:03.1200000"),
        ("R", "Wed, 22 May 2030 09:05:03 GMT"),
        ("s", "2030-05-22T09:05:03"),
        ("u", "2030-05-22 09:05:03Z"),
        ("Y", "2030 May"),
        ("HH dd-MMM-yyy", "09 22-May-2030"),
        ("h:mm tt", "9:05 AM"),
        ("fff FFF ss.FFFF", "120 12 03.12"),
        ("zz zzz", "+02 +02:00"),
        ("%d \\d 'lit'", "22 d lit"),
    ],
)
def test_dates_format_as_in_dotnet(fmt: str, expected: str) -> None:
    assert format_date(WALL, fmt, LOCAL) == expected


def test_a_date_with_an_offset_is_converted_to_utc_by_the_utc_formats() -> None:
    value = parse_datetimeoffset("2030-05-22T09:05:00+05:30", LOCAL, NOW)

    assert value is not None
    assert format_date(value, "O", LOCAL) == "2030-05-22T09:05:00.0000000+05:30"
    assert format_date(value, "u", LOCAL) == "2030-05-22 03:35:00Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030/05/22 09:05:00", datetime(2030, 5, 22, 9, 5)),
        ("22 May 2030", datetime(2030, 5, 22)),
        ("May 22, 2030 9:05 PM", datetime(2030, 5, 22, 21, 5)),
        ("05/22/2030", datetime(2030, 5, 22)),
        ("09:05", datetime(2030, 5, 22, 9, 5)),
        ("2030-05-22T09:05:00.5", datetime(2030, 5, 22, 9, 5, 0, 500000)),
    ],
)
def test_dates_parse_leniently(text: str, expected: datetime) -> None:
    value = parse_with_zone(text, LOCAL, NOW)

    assert value is not None
    assert value.wall == expected


@pytest.mark.parametrize("text", ["hello World", "2030", "2030-13-01", "32 May 2030", ""])
def test_text_that_is_not_a_date_does_not_parse(text: str) -> None:
    assert parse_with_zone(text, LOCAL, NOW) is None


def test_a_datetime_written_with_a_zone_is_read_as_local_time() -> None:
    value = parse_datetime("2030-05-22T09:05:00Z", LOCAL, NOW)

    assert value is not None
    assert (value.wall.hour, value.kind) == (11, "local")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.4000000000000001, "1.4000000000000001"),
        (1e16, "1E+16"),
        (1e15, "1E+15"),
        (123456789012345.0, "123456789012345"),
        (0.0001, "0.0001"),
        (0.00001, "1E-05"),
        (12.0, "12"),
        (-0.0, "-0"),
        (float("inf"), "Infinity"),
    ],
)
def test_doubles_print_as_dotnet_prints_them(value: float, expected: str) -> None:
    assert format_double(value) == expected


def test_numbers_parse_as_dotnet_parses_them() -> None:
    assert parse_double(" 1,000.5 ") == 1000.5
    assert parse_double("1e3") == 1000.0
    assert parse_double("1,000", thousands=False) is None
    assert parse_double("abc") is None
    assert parse_int32(" +42 ") == 42
    assert parse_int32("2147483648") is None
    assert parse_int32("1.0") is None
