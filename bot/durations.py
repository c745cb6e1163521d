"""Durations and clock times as people type them: "48h", "8w", "1w2d", "6mo", "20:00".

Units: ``m`` minutes, ``h`` hours, ``d`` days, ``w`` weeks, ``mo`` months (always 30 days, so a
duration is a fixed length of time, never a calendar month), and ``s`` seconds so that
:func:`format_duration` can round-trip any whole number of seconds.  Longer spellings ("90 min",
"2 weeks", "6 months") are accepted too, because coordinators write the programme file by hand.
"""

from __future__ import annotations

import re
from datetime import time
from datetime import timedelta

_UNIT_SECONDS = {
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "mo": 30 * 86400,
}

_ALIASES = {
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "mo": "mo",
    "mon": "mo",
    "month": "mo",
    "months": "mo",
}

_PART = re.compile(r"\s*(\d+)\s*([a-z]+)\s*")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

DURATION_HINT = 'units: m minutes, h hours, d days, w weeks, mo months of 30 days; combine like "1w2d"'


def parse_duration(text: str) -> timedelta:
    """``"1w2d"`` -> 9 days. Raises ``ValueError`` naming what was expected and what was given."""
    cleaned = text.strip().lower() if isinstance(text, str) else ""
    pos = 0
    total = 0
    while cleaned and pos < len(cleaned):
        match = _PART.match(cleaned, pos)
        if match is None or match.group(2) not in _ALIASES:
            break
        total += int(match.group(1)) * _UNIT_SECONDS[_ALIASES[match.group(2)]]
        pos = match.end()
    if not cleaned or pos != len(cleaned):
        raise ValueError(f'expected a duration like "8w", got "{text}" ({DURATION_HINT})')
    return timedelta(seconds=total)


def format_duration(td: timedelta) -> str:
    """The shortest natural spelling that :func:`parse_duration` reads back to the same length.

    Lengths under three days are shown in hours ("48h"); longer ones as months when the days divide
    by 30, else as weeks and days, then hours, minutes and seconds.  Fractions of a second are dropped.
    """
    seconds = int(td.total_seconds())
    if seconds < 0:
        raise ValueError(f"cannot display a negative duration ({td})")
    if seconds == 0:
        return "0m"
    # under three days, hours read better ("48h", not "2d")
    days, rest = divmod(seconds, 86400) if seconds >= 3 * 86400 else (0, seconds)
    parts: list[str] = []
    if days and days % 30 == 0:
        parts.append(f"{days // 30}mo")
    elif days:
        weeks, days = divmod(days, 7)
        parts += [f"{weeks}w"] if weeks else []
        parts += [f"{days}d"] if days else []
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    for amount, unit in ((hours, "h"), (minutes, "m"), (secs, "s")):
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def parse_clock(text: str) -> time:
    """``"08:30"`` -> 08:30. 24-hour clock; the hour may have one digit ("8:30")."""
    match = _CLOCK.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f'expected a time of day like "08:30" (24-hour HH:MM), got "{text}"')


def format_clock(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"
