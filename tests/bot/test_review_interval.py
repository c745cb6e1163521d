"""The pair's own review interval, read from their words ("every 2 months"), with the programme's as
the fallback."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from bot.ground_rules import ReviewPeriod
from bot.ground_rules import parse_review


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("every 2 months", ReviewPeriod(months=2)),
        ("Every six weeks", ReviewPeriod(days=42)),
        ("monthly", ReviewPeriod(months=1)),
        ("quarterly", ReviewPeriod(months=3)),
        ("each quarter", ReviewPeriod(months=3)),
        ("after 3 months", ReviewPeriod(months=3)),
        ("every 3 to 6 months", ReviewPeriod(months=3)),  # the earlier figure
        ("every 3-6 months", ReviewPeriod(months=3)),
        ("twice a year", ReviewPeriod(months=6)),
        ("once a year, at the start of the year", ReviewPeriod(months=12)),
        ("every other month", ReviewPeriod(months=2)),
        ("in 6mo", ReviewPeriod(months=6)),
        ("fortnightly", ReviewPeriod(days=14)),
    ],
)
def test_intervals_people_write_are_read(text: str, period: ReviewPeriod) -> None:
    assert parse_review(text) == period


@pytest.mark.parametrize("text", ["", "when needed", "at the end", "every weekday", "every 2 days"])
def test_words_without_a_sensible_interval_read_as_none(text: str) -> None:
    assert parse_review(text) is None


def test_calendar_months_from_the_day_agreed() -> None:
    agreed = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    assert ReviewPeriod(months=1).after(agreed, 1) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert ReviewPeriod(months=2).after(agreed, 6) == datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert ReviewPeriod(days=42).after(agreed, 1) == agreed + timedelta(weeks=6)
