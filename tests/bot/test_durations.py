"""Durations and clock times as coordinators and people type them."""

from __future__ import annotations

from datetime import time
from datetime import timedelta

import pytest

from bot.durations import format_duration
from bot.durations import parse_clock
from bot.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("48h", timedelta(hours=48)),
        ("3d", timedelta(days=3)),
        ("8w", timedelta(weeks=8)),
        ("6mo", timedelta(days=180)),
        ("1w2d", timedelta(days=9)),
        ("1h30m", timedelta(minutes=90)),
        ("1mo5m", timedelta(days=30, minutes=5)),
        (" 2 weeks ", timedelta(weeks=2)),
        ("1W 2D", timedelta(days=9)),
        ("6 months", timedelta(days=180)),
    ],
)
def test_parse_duration_accepts_the_documented_forms(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "eight weeks", "8", "w8", "1.5h", "-1d", "8x", "1w two days"])
def test_parse_duration_rejects_anything_else_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r'expected a duration like "8w"') as err:
        parse_duration(text)
    assert f'got "{text}"' in str(err.value)


@pytest.mark.parametrize(
    ("td", "shown"),
    [
        (timedelta(weeks=8), "8w"),
        (timedelta(days=180), "6mo"),
        (timedelta(days=9), "1w2d"),
        (timedelta(hours=48), "48h"),
        (timedelta(hours=36), "36h"),
        (timedelta(days=3), "3d"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(days=3, hours=4), "3d4h"),
        (timedelta(0), "0m"),
    ],
)
def test_format_duration_is_short_and_reads_back(td: timedelta, shown: str) -> None:
    assert format_duration(td) == shown
    assert parse_duration(shown) == td


def test_format_duration_round_trips_odd_lengths() -> None:
    for td in (timedelta(days=37, minutes=1), timedelta(seconds=61), timedelta(days=60, hours=23)):
        assert parse_duration(format_duration(td)) == td


def test_format_duration_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(days=-1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:30", time(8, 30)), ("8:30", time(8, 30)), ("23:59", time(23, 59)), ("00:00", time(0, 0))],
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "8", "8:5", "noon", "08:30:00", "8.30", ""])
def test_parse_clock_rejects_anything_but_hh_mm(text: str) -> None:
    with pytest.raises(ValueError, match=r'expected a time of day like "08:30"'):
        parse_clock(text)
