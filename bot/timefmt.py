"""Times as people type and read them, each in their own time zone.

People type a local wall-clock time ("2026-03-05 14:00") and the bot stores an aware UTC instant.
Two daylight-saving traps are handled explicitly rather than guessed at silently:

* a time in the *gap* when the clocks go forward (01:30 on 29 March 2026 in London does not exist)
  is refused with ``error.dst_gap``;
* a time in the *overlap* when the clocks go back (01:30 on 25 October 2026 in London happens twice)
  is taken as the first of the two, and :attr:`LocalTime.ambiguous` tells the caller to say so
  (``time.ambiguous``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from bot.errors import InvalidInput

DATETIME_EXAMPLE = "2026-03-05 14:30"
DATE_EXAMPLE = "2026-03-05"

_DATETIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|T)(\d{1,2}):(\d{2})")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Zone = ZoneInfo | str


@dataclass(frozen=True)
class LocalTime:
    """A typed local time resolved to an instant. ``ambiguous``: the wall clock showed it twice."""

    at: datetime  # aware, UTC
    ambiguous: bool = False


def zone(tz: Zone) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("time.bad_zone", timezone=tz) from None


def parse_local_datetime(text: str, tz: Zone) -> LocalTime:
    """``"2026-03-05 14:30"`` typed in zone ``tz`` -> the UTC instant, refusing times that do not exist."""
    raw = (text or "").strip()
    match = _DATETIME.fullmatch(raw)
    if match is None:
        raise InvalidInput("time.bad_datetime", value=raw[:40], example=DATETIME_EXAMPLE)
    year, month, day, hour, minute = (int(g) for g in match.groups())
    try:
        naive = datetime(year, month, day, hour, minute)
    except ValueError:
        raise InvalidInput("time.bad_datetime", value=raw[:40], example=DATETIME_EXAMPLE) from None
    z = zone(tz)
    first = naive.replace(tzinfo=z, fold=0)
    second = naive.replace(tzinfo=z, fold=1)
    if not _exists(first) and not _exists(second):
        raise InvalidInput("error.dst_gap", time=f"{hour:02d}:{minute:02d}", timezone=z.key)
    ambiguous = first.utcoffset() != second.utcoffset()
    return LocalTime(first.astimezone(UTC), ambiguous)


def _exists(local: datetime) -> bool:
    """A wall-clock time exists when it survives a round trip through UTC unchanged."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def parse_date(text: str) -> date:
    raw = (text or "").strip()
    match = _DATE.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise InvalidInput("time.bad_date", value=raw[:40], example=DATE_EXAMPLE) from None


# -- showing ----------------------------------------------------------------------------------------


def local(at: datetime, tz: Zone) -> datetime:
    return at.astimezone(zone(tz))


def local_date(at: datetime, tz: Zone) -> date:
    return local(at, tz).date()


def show_date(day: date) -> str:
    """``Thu 5 Mar 2026``"""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def show_time(at: datetime, tz: Zone) -> str:
    """``14:30 GMT`` in the person's zone (the abbreviation tells summer from winter time)."""
    t = local(at, tz)
    return f"{t.hour:02d}:{t.minute:02d} {t.tzname() or zone(tz).key}"


def show(at: datetime, tz: Zone) -> str:
    """``Thu 5 Mar 2026, 14:30 GMT`` in the person's zone."""
    return f"{show_date(local_date(at, tz))}, {show_time(at, tz)}"


def weekday(at: datetime, tz: Zone) -> str:
    """``Thursday``: the local day name, for "before Thursday's meeting"."""
    return local(at, tz).strftime("%A")


def as_input(at: datetime, tz: Zone) -> str:
    """The local time as a form expects it back (``2026-03-05 14:30``)."""
    return local(at, tz).strftime("%Y-%m-%d %H:%M")


def show_span(delta: timedelta) -> str:
    """A length of time for a sentence: ``5 hours``, ``24 hours``, ``45 minutes``, ``2 days 3 hours``."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    if days < 2:  # "24 hours", "30 hours": closer to how notice periods are agreed
        days, rest = 0, minutes
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")] + ([(mins, "minute")] if not days else [])
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2]) if words else "less than a minute"
