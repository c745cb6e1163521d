"""Meetings as pure rules: proposing times, answering, confirming, moving, cancelling, recording.

A meeting starts *proposed* with one to three candidate start times (``options``, ISO-8601 UTC).
Every other current member answers: they accept one option or decline them all (``responses``).
The meeting is *confirmed* at an option once every current member other than the proposer has
accepted that same option -- in a group nobody is silently left out, and in a pair that is simply the
other person's yes.  Anyone may counter with other times (the counter-proposer becomes the proposer
and earlier answers are cleared).  A confirmed meeting can be moved (back to proposed, with its old
time kept until a new one is confirmed, so the calendar invite is updated in place) or cancelled.
After it ends it is recorded as *held* (with its length) or *missed*.

**When a meeting counts as held** is one rule, :func:`counts_as_held`, used by everything that asks
"did the pair meet?" (the phase engine, the cadence nudge and the stall alert, the coordinator report):
a member said so (status *held*), or the meeting was confirmed and nobody has answered "did you meet?"
within the programme's ``held_grace`` after its end.  Being confirmed and over is not enough on its own,
and a "no" (even after a "yes", or after the grace) takes it back (:func:`record_missed`).

Short notice is surfaced, never blocked: the pair agreed how much notice a cancellation needs, and
:func:`notice_shortfall` says when a change comes later than that.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.errors import StaleAction
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import PhaseChange
from bot.model import Relationship
from bot.phases import set_phase
from bot.validation import not_in_past

# the reason the phase engine gives when the first meeting (with agreed ground rules) ends the first phase
FIRST_MEETING_MOVE = "first meeting held and ground rules agreed"
MAX_OPTIONS = 3
MAX_MINUTES = 8 * 60
DECLINED = "declined"
OPEN = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)


@dataclass(frozen=True)
class Shortfall:
    """A change made with less notice than the pair agreed."""

    agreed: timedelta
    given: timedelta


# -- reading ----------------------------------------------------------------------------------------


def option_times(meeting: Meeting) -> list[datetime]:
    return [datetime.fromisoformat(o) for o in meeting.options]


def ends_at(meeting: Meeting) -> datetime | None:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes) if meeting.starts_at else None


def counts_as_held(meeting: Meeting, now: datetime, grace: timedelta) -> bool:
    """THE rule for "the pair met": a member said so, or it was confirmed and ``grace`` has passed since
    its end without anybody answering (see the module docstring)."""
    if meeting.starts_at is None:
        return False
    if meeting.status == MeetingStatus.HELD:
        return True
    end = ends_at(meeting)
    return meeting.status == MeetingStatus.CONFIRMED and end is not None and end + grace <= now


def held_starts(meetings: Iterable[Meeting], now: datetime, grace: timedelta) -> list[datetime]:
    """The start times of the meetings that count as held (:func:`counts_as_held`), earliest first."""
    return sorted(m.starts_at for m in meetings if m.starts_at is not None and counts_as_held(m, now, grace))


def held_becomes_due(meeting: Meeting, grace: timedelta) -> datetime | None:
    """When a confirmed meeting nobody answered for starts to count as held (None: not applicable)."""
    end = ends_at(meeting)
    return end + grace if meeting.status == MeetingStatus.CONFIRMED and end is not None else None


def answer_of(meeting: Meeting, person_id: int) -> str | None:
    """The option ``person_id`` accepted (ISO), ``DECLINED``, or None when they have not answered."""
    return meeting.responses.get(str(person_id))


def awaiting(meeting: Meeting, relationship: Relationship) -> list[Person]:
    """Members whose answer the proposal still needs (everyone but the proposer who has not accepted)."""
    if meeting.status != MeetingStatus.PROPOSED:
        return []
    return [
        p
        for p in relationship.others(meeting.scheduled_by)
        if answer_of(meeting, _pid(p)) in (None, DECLINED)
    ]


def upcoming(meetings: Iterable[Meeting], now: datetime) -> list[Meeting]:
    """Proposed meetings and confirmed ones that have not ended, soonest first."""
    found = [
        m
        for m in meetings
        if m.status == MeetingStatus.PROPOSED
        or (m.status == MeetingStatus.CONFIRMED and (ends_at(m) or now) > now)
    ]
    return sorted(found, key=lambda m: _sort_time(m))


def next_confirmed(meetings: Iterable[Meeting], now: datetime) -> Meeting | None:
    found = [m for m in upcoming(meetings, now) if m.status == MeetingStatus.CONFIRMED]
    return found[0] if found else None


def recent(meetings: Iterable[Meeting], now: datetime, limit: int = 5) -> list[Meeting]:
    """Meetings that are over (held, missed, cancelled, or confirmed but past), latest first."""
    over = [m for m in meetings if not upcoming([m], now)]
    return sorted(over, key=lambda m: _sort_time(m), reverse=True)[:limit]


def needs_outcome(meeting: Meeting, now: datetime) -> bool:
    """A confirmed meeting whose time has passed, with nobody yet saying whether it happened."""
    end = ends_at(meeting)
    return meeting.status == MeetingStatus.CONFIRMED and end is not None and end <= now


def _sort_time(m: Meeting) -> datetime:
    if m.starts_at is not None and m.status != MeetingStatus.PROPOSED:
        return m.starts_at
    times = option_times(m)
    return min(times) if times else (m.starts_at or m.created_at)


# -- proposing and answering ------------------------------------------------------------------------


def check_options(times: Sequence[datetime], now: datetime) -> list[str]:
    """Distinct future start times, soonest first, as stored (ISO UTC)."""
    if not times:
        raise InvalidInput("meeting.error.no_times")
    for at in times:
        not_in_past(at, now)
    unique = sorted(set(times))
    if len(unique) > MAX_OPTIONS:
        raise InvalidInput("meeting.error.too_many", limit=MAX_OPTIONS)
    return [t.isoformat() for t in unique]


def check_minutes(minutes: int) -> int:
    if not 5 <= minutes <= MAX_MINUTES:
        raise InvalidInput("validation.number", field="length in minutes", low=5, high=MAX_MINUTES)
    return minutes


def propose(
    relationship: Relationship,
    proposer_id: int,
    times: Sequence[datetime],
    now: datetime,
    *,
    duration_minutes: int = 60,
    location: str = "",
) -> Meeting:
    assert relationship.id is not None
    return Meeting(
        relationship_id=relationship.id,
        status=MeetingStatus.PROPOSED,
        scheduled_by=proposer_id,
        created_at=now,
        options=check_options(times, now),
        duration_minutes=check_minutes(duration_minutes),
        location=location,
        updated_at=now,
    )


def accept(
    meeting: Meeting, relationship: Relationship, person_id: int, option: datetime, now: datetime
) -> bool:
    """``person_id`` accepts ``option``; True when that confirmed the meeting.

    A button for a meeting that is no longer proposed, for a time no longer offered, or pressed a
    second time is stale.
    """
    iso = option.isoformat()
    if meeting.status != MeetingStatus.PROPOSED or iso not in meeting.options:
        raise StaleAction()
    if person_id == meeting.scheduled_by:
        raise InvalidInput("meeting.error.own_proposal")
    if answer_of(meeting, person_id) == iso:
        raise StaleAction()
    meeting.responses = {**meeting.responses, str(person_id): iso}
    meeting.updated_at = now
    others = relationship.others(meeting.scheduled_by)
    if all(answer_of(meeting, _pid(p)) == iso for p in others):
        _confirm(meeting, option, now)
        return True
    return False


def decline(meeting: Meeting, person_id: int, now: datetime) -> None:
    """None of the offered times work for ``person_id``. The proposal stays open for other times."""
    if meeting.status != MeetingStatus.PROPOSED or answer_of(meeting, person_id) == DECLINED:
        raise StaleAction()
    if person_id == meeting.scheduled_by:
        raise InvalidInput("meeting.error.own_proposal")
    meeting.responses = {**meeting.responses, str(person_id): DECLINED}
    meeting.updated_at = now


def offer_other_times(
    meeting: Meeting,
    person_id: int,
    times: Sequence[datetime],
    now: datetime,
    *,
    duration_minutes: int | None = None,
    location: str | None = None,
) -> None:
    """A counter-proposal on an open proposal, or moving a confirmed meeting: new times from
    ``person_id``, who becomes the proposer; earlier answers no longer count."""
    if meeting.status not in OPEN:
        raise StaleAction()
    options = check_options(times, now)
    meeting.status = MeetingStatus.PROPOSED
    meeting.options = options
    meeting.scheduled_by = person_id
    meeting.responses = {}
    if duration_minutes is not None:
        meeting.duration_minutes = check_minutes(duration_minutes)
    if location is not None:
        meeting.location = location
    meeting.updated_at = now


def _confirm(meeting: Meeting, at: datetime, now: datetime) -> None:
    if meeting.starts_at is not None:  # it had a time before: calendars must update the event
        meeting.sequence += 1
    meeting.status = MeetingStatus.CONFIRMED
    meeting.starts_at = at
    meeting.updated_at = now


# -- cancelling and recording -----------------------------------------------------------------------


def cancel(meeting: Meeting, reason: str, now: datetime) -> None:
    if meeting.status not in OPEN:
        raise StaleAction()
    if meeting.starts_at is not None:
        meeting.sequence += 1
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.updated_at = now


def notice_shortfall(meeting: Meeting, agreed: timedelta, now: datetime) -> Shortfall | None:
    """When a confirmed meeting is moved or cancelled with less notice than agreed: by how much."""
    if meeting.status != MeetingStatus.CONFIRMED or meeting.starts_at is None:
        return None
    given = meeting.starts_at - now
    if given >= agreed or given < timedelta(0):
        return None
    return Shortfall(agreed, given)


def record_held(meeting: Meeting, minutes: int, now: datetime) -> None:
    """A member says the meeting happened; also corrects an earlier "no" (a *missed* meeting)."""
    _check_can_record(meeting, now)
    meeting.status = MeetingStatus.HELD
    meeting.held_minutes = check_minutes(minutes)
    meeting.updated_at = now


def record_missed(meeting: Meeting, now: datetime) -> None:
    """A member says the meeting did not happen; also takes back an earlier "yes" (a *held* meeting)."""
    _check_can_record(meeting, now)
    meeting.status = MeetingStatus.MISSED
    meeting.held_minutes = None
    meeting.updated_at = now


RECORDABLE = (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.MISSED)


def _check_can_record(meeting: Meeting, now: datetime) -> None:
    if meeting.status not in RECORDABLE or meeting.starts_at is None:
        raise StaleAction()
    if meeting.starts_at > now:
        raise InvalidInput("followup.error.not_yet")


def take_back_phase_move(
    relationship: Relationship,
    meeting: Meeting,
    meetings: Iterable[Meeting],
    first_phase: str,
    now: datetime,
    grace: timedelta,
) -> PhaseChange | None:
    """After a "no" for ``meeting``: undo the phase engine's move out of the first phase if that meeting
    caused it, i.e. the move was the engine's first-meeting move (the latest change) and no other meeting
    counts as held between the pair entering the first phase and that move.  The pair goes back to the
    first phase, with the change kept in the history (by the engine, at ``now``: the first phase's length
    counts again from the move back); returns it (None: nothing to undo).  The caller commits (and
    audits)."""
    history = sorted(relationship.phase_history, key=lambda c: c.at)
    if not history or relationship.phase == first_phase:
        return None
    move = history[-1]
    if move.phase != relationship.phase or move.by_person_id is not None or move.reason != FIRST_MEETING_MOVE:
        return None
    if meeting.starts_at is None or meeting.starts_at > move.at:
        return None
    entered = [c.at for c in history[:-1] if c.phase == first_phase]
    since = entered[-1] if entered else None
    for other in meetings:
        if other.id == meeting.id or other.starts_at is None or not counts_as_held(other, now, grace):
            continue
        if (since is None or other.starts_at >= since) and other.starts_at <= move.at:
            return None
    reason = f"meeting {meeting.id} did not take place: back to {first_phase}"
    return set_phase(relationship, first_phase, None, reason, now)


# -- the next date ----------------------------------------------------------------------------------


def suggest_next(
    meetings: Iterable[Meeting],
    cadence: timedelta,
    now: datetime,
    tz: ZoneInfo,
    weekend_days: Iterable[int] = (5, 6),
    default_time: time = time(10, 0),
) -> datetime:
    """A start time to pre-fill the scheduling form with.

    One cadence after the last meeting that took or takes place (at the same local time of day), and
    at least a day from now; the first meeting is suggested three days from now.  Weekend days move to
    the next working day.  Returned in UTC.
    """
    anchors = [
        m.starts_at
        for m in meetings
        if m.starts_at is not None and m.status in (MeetingStatus.HELD, MeetingStatus.CONFIRMED)
    ]
    if anchors:
        last = max(anchors).astimezone(tz)
        day, clock = (last + cadence).date(), last.time().replace(tzinfo=None)
    else:
        day, clock = (now.astimezone(tz) + timedelta(days=3)).date(), default_time
    earliest = (now + timedelta(days=1)).astimezone(tz).date()
    day = max(day, earliest)
    weekend = set(weekend_days)
    while day.weekday() in weekend:
        day += timedelta(days=1)
    local = datetime.combine(day, clock, tzinfo=tz)
    # a wall-clock time lost to the spring gap moves an hour later
    if local.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        local += timedelta(hours=1)
    return local.astimezone(ZoneInfo("UTC"))


def _pid(person: Person) -> int:
    assert person.id is not None
    return person.id
