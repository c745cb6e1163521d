"""When a person may be messaged: their own time zone, quiet hours and the programme's weekend.

Every nudge time is worked out as a local wall-clock time in the recipient's zone and only then turned
into a UTC instant, so a 09:00 nudge stays at 09:00 local across daylight-saving changes.  A local time
that does not exist (the hour skipped when clocks go forward) is taken as the same number of minutes
after the change, which is what ``zoneinfo`` does for ``fold=0``.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from bot.durations import parse_clock
from bot.model import Person
from bot.programme import ProgrammeConfig

log = logging.getLogger(__name__)

# the local time of day for nudges that are due "on a day" (cadence, check-in, phase prompts, ...)
NUDGE_TIME = time(9, 0)


# The functions below are pure, and a plan pass asks them the same questions for thousands of people
# (the same days at 09:00 in the same few zones): the answers are kept, keyed by plain values.
_CACHE = 8192


def zone_of(person: Person) -> ZoneInfo:
    zone = _zone(person.timezone or "UTC")
    if zone is None:
        log.warning("person %s has an unknown time zone %r; using UTC", person.id, person.timezone)
        return ZoneInfo("UTC")
    return zone


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def quiet_hours(person: Person, programme: ProgrammeConfig) -> tuple[time, time]:
    """The person's quiet hours, or the programme's when they set none (or set something unreadable)."""
    start, end = programme.quiet_start, programme.quiet_end
    try:
        if person.quiet_start:
            start = parse_clock(person.quiet_start)
        if person.quiet_end:
            end = parse_clock(person.quiet_end)
    except ValueError:
        return programme.quiet_start, programme.quiet_end
    return start, end


def is_quiet(t: time, start: time, end: time) -> bool:
    """``t`` falls in the quiet span from ``start`` to ``end`` (which may wrap past midnight)."""
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


@functools.lru_cache(maxsize=_CACHE)
def at_local(day: date, t: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``t`` on ``day`` in ``tz``."""
    return datetime.combine(day, t).replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_date(at: datetime, person: Person) -> date:
    return at.astimezone(zone_of(person)).date()


def release(at: datetime, person: Person, programme: ProgrammeConfig, *, routine: bool) -> datetime:
    """The first instant at or after ``at`` when ``person`` may get a message: outside their quiet hours
    and, for ``routine`` nudges, on a day that is not a weekend day of the programme."""
    start, end = quiet_hours(person, programme)
    weekend = tuple(programme.weekend_days) if routine else ()
    moved = _moved(at, zone_of(person), start, end, weekend)
    return at if moved is None else moved


@functools.lru_cache(maxsize=_CACHE)
def _moved(at: datetime, tz: ZoneInfo, start: time, end: time, weekend: tuple[int, ...]) -> datetime | None:
    """Where :func:`release` moves ``at`` (an instant in UTC), or None when it may go as it is (then the
    caller's own ``at`` is the answer: equal instants in other zones share this cache entry)."""
    original = at
    for _ in range(16):
        local = at.astimezone(tz)
        if local.weekday() in weekend:
            day = local.date() + timedelta(days=1)
            while day.weekday() in weekend:
                day += timedelta(days=1)
            at = at_local(day, NUDGE_TIME, tz)
            continue
        if is_quiet(local.time(), start, end):
            day = local.date()
            if start > end and local.time() >= start:
                day += timedelta(days=1)
            at = at_local(day, end, tz)
            continue
        return None if at is original else at
    return at  # a configuration that leaves no time at all; send rather than never


def day_slot(day: date, person: Person, programme: ProgrammeConfig, *, routine: bool = True) -> datetime:
    """When a nudge due on local ``day`` goes out: at :data:`NUDGE_TIME` in the person's zone, moved past
    weekend days (routine nudges) and quiet hours."""
    tz = zone_of(person)
    if routine:
        while day.weekday() in programme.weekend_days:
            day += timedelta(days=1)
    return release(at_local(day, NUDGE_TIME, tz), person, programme, routine=routine)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return at_local(day, time(0, 0), tz)
