"""A person's own settings as pure rules: pausing, quiet hours, time zone, reminder opt-outs.

Quiet hours are stored as ``"HH:MM"`` strings on the person.  Both None means "the programme's
default"; a start equal to the end means "no quiet hours at all" (``quiet off``), which is how the
scheduler reads an empty span (``scheduler.localtime.is_quiet``).
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from datetime import date
from datetime import time

from bot.durations import format_clock
from bot.durations import parse_clock
from bot.errors import InvalidInput
from bot.model import Person
from bot.nudge_kinds import NUDGE_KINDS
from bot.timefmt import parse_date
from bot.zones import zone_hint

QUIET_OFF = "00:00"
_SPAN = re.compile(r"(\d{1,2}:\d{2})\s*(?:-|–|to|\s)\s*(\d{1,2}:\d{2})")
_NOT_OPTIONAL = {"announcement", "announcements", "stall", "stall_alert", "stall_alerts", "stall alert"}


# -- pausing ---------------------------------------------------------------------------------------------


def pause_until(text: str, today: date) -> date:
    """The date reminders start again; it must be after ``today`` (in the person's zone)."""
    day = parse_date(text)
    if day < today:
        raise InvalidInput("error.date_in_past")
    if day == today:
        raise InvalidInput("settings.error.pause_today")
    return day


def pause(person: Person, until: date | None) -> None:
    person.paused = True
    person.paused_until = until


def resume(person: Person) -> bool:
    """Reminders back on; False when the person was not paused (or the pause had run out)."""
    was_paused = person.paused
    person.paused, person.paused_until = False, None
    return was_paused


def is_paused(person: Person, today: date) -> bool:
    return person.is_paused_on(today)


# -- quiet hours -----------------------------------------------------------------------------------------


def parse_quiet(text: str) -> tuple[str, str]:
    """``"21:00-07:30"`` -> ``("21:00", "07:30")``; a span that starts where it ends is refused."""
    match = _SPAN.fullmatch(text.strip())
    if match is None:
        raise InvalidInput("settings.error.quiet", value=text.strip()[:40])
    try:
        start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
    except ValueError:
        raise InvalidInput("settings.error.quiet", value=text.strip()[:40]) from None
    if start == end:
        raise InvalidInput("settings.error.quiet_empty")
    return format_clock(start), format_clock(end)


def quiet_span(person: Person, default_start: time, default_end: time) -> tuple[str, str, str]:
    """``(start, end, source)`` where source is ``own``, ``default`` or ``off``."""
    if person.quiet_start and person.quiet_end:
        if person.quiet_start == person.quiet_end:
            return person.quiet_start, person.quiet_end, "off"
        return person.quiet_start, person.quiet_end, "own"
    return format_clock(default_start), format_clock(default_end), "default"


# -- time zones ------------------------------------------------------------------------------------------


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def parse_timezone(text: str) -> str:
    """An IANA zone name, matched without regard to case; a typo gets the nearest name suggested."""
    raw = text.strip().replace(" ", "_")
    if not raw:
        raise InvalidInput("settings.error.timezone_missing")
    by_lower = {z.lower(): z for z in _zones()}
    hint = zone_hint(raw)
    if raw.lower() in by_lower:
        return by_lower[raw.lower()]
    if hint is not None:
        zone, others = hint
        if others:
            raise InvalidInput(
                "settings.error.timezone_ambiguous",
                value=text.strip()[:40],
                suggestion=zone,
                others="* or *timezone ".join(others),
            )
        raise InvalidInput("settings.error.timezone_abbreviation", value=text.strip()[:40], suggestion=zone)
    by_city = {z.rsplit("/", 1)[-1].lower(): z for z in _zones()}
    if raw.lower() in by_city:
        raise InvalidInput(
            "settings.error.timezone", value=text.strip()[:40], suggestion=by_city[raw.lower()]
        )
    close = difflib.get_close_matches(raw.lower(), list(by_lower), n=1, cutoff=0.6)
    if not close:
        city = difflib.get_close_matches(raw.lower().rsplit("/", 1)[-1], list(by_city), n=1, cutoff=0.7)
        close = [by_city[city[0]].lower()] if city else []
    suggestion = by_lower[close[0]] if close else "Europe/London"
    raise InvalidInput("settings.error.timezone", value=text.strip()[:40], suggestion=suggestion)


# -- reminder kinds --------------------------------------------------------------------------------------


def parse_nudge_kind(text: str) -> str:
    """One of :data:`bot.nudge_kinds.NUDGE_KINDS` (dashes and spaces read as underscores)."""
    raw = text.strip().lower()
    if raw in _NOT_OPTIONAL:
        raise InvalidInput("settings.error.not_optional")
    kind = re.sub(r"[\s-]+", "_", raw)
    if kind in NUDGE_KINDS:
        return kind
    close = difflib.get_close_matches(kind, NUDGE_KINDS, n=1, cutoff=0.5)
    raise InvalidInput(
        "settings.error.kind",
        value=raw[:40] or "?",
        suggestion=close[0] if close else NUDGE_KINDS[0],
    )


def opt_out(person: Person, kind: str) -> bool:
    """False when already opted out. The list is replaced, never changed in place, so it is saved."""
    if kind in person.opt_outs:
        return False
    person.opt_outs = [k for k in NUDGE_KINDS if k in {*person.opt_outs, kind}]
    return True


def opt_in(person: Person, kind: str) -> bool:
    if kind not in person.opt_outs:
        return False
    person.opt_outs = [k for k in person.opt_outs if k != kind]
    return True
