"""Change windows: weekly ones read in their own time zone (both DST changes), over midnight, date ranges,
validation naming the field, and properties of `next_opening`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seaway.config.change_window_documents import parse_window
from seaway.config.reader import Node
from seaway.domain.change_windows import (
    SEARCH_HORIZON,
    DateRangeWindow,
    PolicyWindows,
    WeeklyWindow,
    current_close,
    describe,
    is_open,
    next_common_opening,
    next_opening,
    window_from_json,
    window_to_json,
)
from seaway.domain.freezes import Freeze, holding
from seaway.domain.policies import ApprovalPolicy, merge, merged_from_json, merged_to_json
from seaway.errors import InvalidInput

WEEKDAYS = WeeklyWindow((0, 1, 2, 3, 4), time(9), time(17), "Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_london_window_opens_at_nine_local_on_both_sides_of_the_spring_change():
    # 2026-03-29 (Sunday) the clocks go forward: Friday the 27th is GMT, Monday the 30th is BST.
    assert next_opening([WEEKDAYS], utc(2026, 3, 27, 8, 0)) == utc(2026, 3, 27, 9, 0)
    assert next_opening([WEEKDAYS], utc(2026, 3, 27, 17, 0)) == utc(2026, 3, 30, 8, 0)  # 09:00 BST
    assert current_close([WEEKDAYS], utc(2026, 3, 30, 8, 0)) == utc(2026, 3, 30, 16, 0)
    assert not is_open([WEEKDAYS], utc(2026, 3, 30, 7, 59))


def test_and_on_both_sides_of_the_autumn_change():
    # 2026-10-25 (Sunday) the clocks go back: Friday the 23rd is BST, Monday the 26th is GMT.
    assert current_close([WEEKDAYS], utc(2026, 10, 23, 8, 0)) == utc(2026, 10, 23, 16, 0)
    assert next_opening([WEEKDAYS], utc(2026, 10, 23, 16, 0)) == utc(2026, 10, 26, 9, 0)


def test_a_time_inside_the_spring_gap_is_read_on_the_clock_before_the_change():
    night = WeeklyWindow((6,), time(1, 30), time(3, 0), "Europe/London")  # 01:30 does not exist on 2026-03-29
    assert next_opening([night], utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 30)  # 02:30 BST
    assert current_close([night], utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 2, 0)  # 03:00 BST


def test_a_time_that_happens_twice_opens_at_its_first_and_closes_at_its_second():
    night = WeeklyWindow((6,), time(1, 15), time(1, 45), "Europe/London")  # 01:xx twice on 2026-10-25
    assert next_opening([night], utc(2026, 10, 24, 12, 0)) == utc(2026, 10, 25, 0, 15)  # 01:15 BST
    assert current_close([night], utc(2026, 10, 25, 0, 15)) == utc(2026, 10, 25, 1, 45)  # 01:45 GMT


def test_an_end_before_the_start_runs_over_midnight():
    overnight = WeeklyWindow((5,), time(22), time(2), "UTC")  # Saturday 22:00 to Sunday 02:00
    assert is_open([overnight], utc(2026, 3, 8, 1, 0))  # Sunday 01:00
    assert not is_open([overnight], utc(2026, 3, 8, 22, 30))  # Sunday night is not Saturday night
    assert current_close([overnight], utc(2026, 3, 7, 23, 0)) == utc(2026, 3, 8, 2, 0)


def test_a_date_range_is_open_inside_and_has_no_opening_once_past():
    year_end = DateRangeWindow(utc(2026, 12, 5, 8), utc(2026, 12, 5, 18))
    assert next_opening([year_end], utc(2026, 12, 1)) == utc(2026, 12, 5, 8)
    assert is_open([year_end], utc(2026, 12, 5, 17, 59))
    assert next_opening([year_end], utc(2026, 12, 5, 18)) is None
    assert current_close([year_end], utc(2026, 12, 5, 9)) == utc(2026, 12, 5, 18)


def test_windows_that_meet_close_as_one():
    morning = WeeklyWindow((0,), time(9), time(12), "UTC")
    afternoon = WeeklyWindow((0,), time(12), time(17), "UTC")
    assert current_close([morning, afternoon], utc(2026, 3, 2, 10)) == utc(2026, 3, 2, 17)


def test_several_policies_need_all_their_windows_open_at_once():
    mornings = PolicyWindows("A", (WeeklyWindow((0, 1, 2, 3, 4), time(8), time(12), "UTC"),))
    tuesdays = PolicyWindows("B", (WeeklyWindow((1,), time(11), time(15), "UTC"),))
    assert next_common_opening([mornings, tuesdays], utc(2026, 3, 2, 8)) == utc(2026, 3, 3, 11)
    never = PolicyWindows("C", (DateRangeWindow(utc(2026, 1, 1), utc(2026, 1, 2)),))
    assert next_common_opening([mornings, never], utc(2026, 3, 2, 8)) is None


def test_a_window_reads_as_messages_name_it():
    assert describe(WEEKDAYS) == "Mon–Fri 09:00–17:00 Europe/London"
    assert describe(WeeklyWindow((0, 2), time(9), time(17), "UTC")) == "Mon, Wed 09:00–17:00 UTC"


@pytest.mark.parametrize(
    ("written", "field", "message"),
    [
        ({"days": ["Mon", "Funday"], "start": "09:00", "end": "17:00", "timezone": "UTC"}, "w.days[1]", "not a day"),
        ({"days": ["Mon"], "start": "9am", "end": "17:00", "timezone": "UTC"}, "w.start", "not a time of day"),
        ({"days": ["Mon"], "start": "09:00", "end": "24:00", "timezone": "UTC"}, "w.end", "not a time of day"),
        ({"days": ["Mon"], "start": "09:00", "end": "17:00", "timezone": "Mars/Olympus"}, "w.timezone", "time zone"),
        ({"days": ["Mon"], "start": "09:00", "end": "09:00", "timezone": "UTC"}, "w.end", "must differ"),
        ({"days": [], "start": "09:00", "end": "17:00", "timezone": "UTC"}, "w.days", "at least one day"),
        ({"days": ["Mon"], "start": 540, "end": "17:00", "timezone": "UTC"}, "w.start", "in quotes"),
        ({"from": "2026-12-05T08:00:00", "to": "2026-12-05T18:00:00Z"}, "w.from", "offset"),
        ({"from": "2026-12-05T18:00:00Z", "to": "2026-12-05T08:00:00Z"}, "w.to", "end after"),
        ({"from": "soon", "to": "2026-12-05T08:00:00Z"}, "w.from", "ISO 8601"),
    ],
)
def test_a_bad_window_is_refused_naming_its_field(written, field, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        parse_window(Node(written, "w"))
    assert refused.value.field == field


def test_a_window_survives_its_json_round_trip():
    for window in (WEEKDAYS, DateRangeWindow(utc(2026, 12, 5, 8), utc(2026, 12, 5, 18))):
        assert window_from_json(window_to_json(window)) == window


def test_merging_keeps_windows_per_policy_in_an_order_of_its_own():
    a = ApprovalPolicy("A", users=("carol",), change_windows=(WEEKDAYS,))
    b = ApprovalPolicy("b", users=("carol",))
    c = ApprovalPolicy("C", users=("carol",), change_windows=(DateRangeWindow(utc(2026, 1, 1), utc(2026, 1, 2)),))
    merged = merge([c, b, a])
    assert merged == merge([a, b, c]) and merged is not None
    assert [w.policy for w in merged.windows] == ["A", "C"]
    assert merged_from_json(merged_to_json(merged)) == merged
    plain = merge([b])
    assert plain is not None and "change_windows" not in merged_to_json(plain)  # old hashes stay as they were


def test_the_freeze_that_holds_is_the_one_in_scope_ending_last():
    year_end = Freeze("Year end", utc(2026, 12, 20), utc(2027, 1, 3), environments=("Prod",))
    audit = Freeze("Audit", utc(2026, 12, 28), utc(2027, 1, 10), projects=("Billing",))
    assert holding([year_end, audit], "Quotes", "prod", utc(2026, 12, 29)) == year_end
    assert holding([year_end, audit], "Billing", "Prod", utc(2026, 12, 29)) == audit
    assert holding([year_end, audit], "Quotes", "Test", utc(2026, 12, 29)) is None
    assert holding([year_end], "Quotes", "Prod", utc(2027, 1, 3)) is None  # the end is not frozen


_weekly = st.builds(
    WeeklyWindow,
    days=st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True).map(lambda d: tuple(sorted(d))),
    start=st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    end=st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    timezone=st.sampled_from(["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
).filter(lambda w: w.start != w.end)
_moments = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(windows=st.lists(_weekly, min_size=1, max_size=3), now=_moments)
def test_the_next_opening_is_open_and_nothing_before_it_is(windows, now):
    opening = next_opening(windows, now)
    assert opening is not None and opening >= now  # a weekly window opens within the week
    assert is_open(windows, opening)
    step = timedelta(minutes=15)
    probe = now
    while probe < opening:
        assert not is_open(windows, probe)
        probe += step
    close = current_close(windows, opening)
    assert close is not None and close > opening
    assert close - opening >= SEARCH_HORIZON or not is_open(windows, close)  # round the clock: open that long
