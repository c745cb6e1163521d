"""Times typed and shown in each person's own zone, with the daylight-saving traps handled."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from bot.errors import InvalidInput
from bot.programme import ProgrammeConfig
from bot.timefmt import as_input
from bot.timefmt import parse_date
from bot.timefmt import parse_local_datetime
from bot.timefmt import show
from bot.timefmt import show_span
from bot.timefmt import show_time
from bot.timefmt import weekday


def message(err: InvalidInput) -> str:
    return ProgrammeConfig.default().text(err.key, **err.values)


def test_a_local_time_becomes_the_right_instant_in_winter_and_summer() -> None:
    winter = parse_local_datetime("2026-03-05 14:30", "Europe/London")
    summer = parse_local_datetime("2026-07-05 14:30", "Europe/London")
    assert winter.at == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert summer.at == datetime(2026, 7, 5, 13, 30, tzinfo=UTC)
    assert not winter.ambiguous
    assert not summer.ambiguous


def test_the_same_instant_reads_differently_for_each_person() -> None:
    at = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert show(at, "Europe/London") == "Thu 5 Mar 2026, 14:30 GMT"
    assert show(at, "America/New_York") == "Thu 5 Mar 2026, 09:30 EST"
    assert show(at, "Asia/Kolkata") == "Thu 5 Mar 2026, 20:00 IST"
    assert show_time(at, "Europe/Berlin") == "15:30 CET"
    assert weekday(at, "Pacific/Auckland") == "Friday"
    assert as_input(at, "America/New_York") == "2026-03-05 09:30"


def test_a_time_in_the_spring_gap_is_refused_with_a_specific_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_local_datetime("2026-03-29 01:30", "Europe/London")
    assert caught.value.key == "error.dst_gap"
    text = message(caught.value)
    assert "01:30" in text
    assert "Europe/London" in text
    assert "clocks go forward" in text


def test_a_time_that_happens_twice_in_autumn_takes_the_first_and_says_so() -> None:
    parsed = parse_local_datetime("2026-10-25 01:30", "Europe/London")
    assert parsed.ambiguous
    assert parsed.at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first one
    assert show(parsed.at, "Europe/London").endswith("01:30 BST")


def test_the_us_gap_and_overlap_fall_on_other_days() -> None:
    with pytest.raises(InvalidInput):
        parse_local_datetime("2026-03-08 02:15", "America/New_York")
    assert not parse_local_datetime("2026-03-29 01:30", "America/New_York").ambiguous
    assert parse_local_datetime("2026-11-01 01:30", "America/New_York").ambiguous


@pytest.mark.parametrize(
    "typed", ["tomorrow at 3", "2026-02-30 10:00", "2026-03-05 25:00", "", "05/03/2026 10:00"]
)
def test_unreadable_times_get_an_example_of_the_expected_format(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_local_datetime(typed, "Europe/London")
    assert caught.value.key == "time.bad_datetime"
    assert "2026-03-05 14:30" in message(caught.value)


def test_a_typed_time_may_use_a_t_or_short_numbers() -> None:
    assert parse_local_datetime("2026-3-5T9:05", "UTC").at == datetime(2026, 3, 5, 9, 5, tzinfo=UTC)


def test_an_unknown_time_zone_is_named_in_the_reply() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_local_datetime("2026-03-05 10:00", "Mars/Olympus")
    assert "Mars/Olympus" in message(caught.value)


def test_dates() -> None:
    assert parse_date(" 2026-03-05 ").isoformat() == "2026-03-05"
    with pytest.raises(InvalidInput) as caught:
        parse_date("5 March")
    assert "5 March" in message(caught.value)


def test_spans_read_as_words() -> None:
    assert show_span(timedelta(hours=5)) == "5 hours"
    assert show_span(timedelta(hours=24)) == "24 hours"
    assert show_span(timedelta(hours=27, minutes=10)) == "27 hours 10 minutes"
    assert show_span(timedelta(days=3, hours=2, minutes=5)) == "3 days 2 hours"
    assert show_span(timedelta(minutes=45)) == "45 minutes"
    assert show_span(timedelta(seconds=5)) == "less than a minute"
