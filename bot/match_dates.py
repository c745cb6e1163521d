"""Where a match stands on its own calendar: not yet started, running, or past its planned end.

A match's dates are *days* (``started_on``, ``planned_end``) in the programme's time zone.  Its phases
are measured from the start of the start day in that zone (:func:`start_instant`); before it, the
relationship is *not yet running*: nothing is planned for it and people and coordinators see "starts
on ...".  From the planned end date on (the day closure begins), it is *past its planned end*: no longer
counted as active, whatever its stored status, until it is ended.  This is a derived state, computed
from the dates and the clock, never stored, so moving a date in a re-import moves the state with it.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from enum import StrEnum
from zoneinfo import ZoneInfo


class DateState(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAST_END = "past_end"


def start_instant(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone`` (midnight local)."""
    return datetime.combine(day, time(0, 0)).replace(tzinfo=zone, fold=0).astimezone(UTC)


def date_state(started_on: date, planned_end: date | None, today: date) -> DateState:
    """Where a match stands on ``today`` (a day in the programme's zone)."""
    if today < started_on:
        return DateState.NOT_STARTED
    if planned_end is not None and today >= planned_end:
        return DateState.PAST_END
    return DateState.RUNNING
