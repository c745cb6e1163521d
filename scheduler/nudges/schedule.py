"""``schedule``: the rhythm of meetings.

* ``cadence``: once the agreed rhythm has passed since the last meeting with nothing booked, whoever
  books is nudged, quoting the pair's own ``frequency`` and ``who_schedules`` (family ``schedule``).
* ``stall_alert``: once twice the rhythm has passed without a meeting, the coordinators hear of it
  (not gated by phase): names, dates and counts only, never content.  Each relationship yields a
  :class:`StallAlert` fact; ``scheduler.planner.address_alerts`` batches them into one message per
  coordinator and day.

The rhythm is the pair's own ``frequency`` ground rule, else the programme's cadence for their kind.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from bot.ground_rules import responsible_for_scheduling
from bot.meetings import counts_as_held
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.messages import Text
from bot.model import GroundRules
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.readers import reader_of
from bot.relationship_view import kind_label
from bot.relationship_view import title
from bot.timefmt import show_date
from scheduler.localtime import day_slot
from scheduler.localtime import local_date
from scheduler.localtime import start_of_day
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._compose import rule_line
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec
from scheduler.rhythm import cadence as cadence_of

CADENCE = NudgeSpec("cadence", "schedule", 40, timedelta(days=14), True)
STALL = NudgeSpec("stall_alert", None, 40, timedelta(days=14), True)


@dataclass(frozen=True)
class StallLine:
    """What a coordinator may know about a stalled relationship: who, what kind, dates and counts."""

    relationship_id: int
    kind: str
    names: tuple[str, ...]
    last_met_on: date | None
    started_on: date
    meetings_held: int


@dataclass(frozen=True)
class StallAlert:
    """A relationship with no meeting for twice its rhythm: facts for coordinators (no content)."""

    line: StallLine
    window_start: date
    due_on: date  # the day (programme time zone) the threshold passed


def plan(s: RelationshipScope) -> None:
    rhythm = cadence_of(s.rules, s.rel)
    grace = s.programme.held_grace
    # booked: a confirmed meeting ahead, or one that is over and waiting for "did you meet?" (it is
    # not held yet, and not missed: no "time to book" nudge or stall alert while the pair can answer)
    booked = any(
        (
            m.status == MeetingStatus.CONFIRMED
            and m.starts_at is not None
            and not counts_as_held(m, s.now, grace)
        )
        or (m.status == MeetingStatus.PROPOSED and m.created_at >= s.now - rhythm)
        for m in s.f.meetings
    )
    if booked:
        return
    last = s.last_met()
    zone = s.programme.zone
    window = last.astimezone(zone).date() if last is not None else s.rel.started_on
    if s.gated(CADENCE):
        for person in responsible_for_scheduling(s.rules, s.programme, s.rel):
            today = local_date(s.now, person)
            last_on = local_date(last, person) if last is not None else None
            build = functools.partial(compose_cadence, s.programme, s.rel, person, s.rules, last_on, today)
            s.offer(
                CADENCE,
                person,
                f"cadence:{s.f.id}:{window.isoformat()}:{person.id}",
                day_slot(window + rhythm, person, s.programme),
                build,
            )
    # from the start of that day in the programme's zone, so each coordinator gets it at their own 09:00
    stall_on = window + 2 * rhythm
    stall_at = start_of_day(stall_on, zone)
    if stall_at > s.now:
        s.wake(stall_at)
    elif s.now < stall_at + STALL.grace:
        line = StallLine(
            relationship_id=s.f.id,
            kind=s.rel.kind,
            names=tuple(p.name for p in s.members),
            last_met_on=last.astimezone(zone).date() if last is not None else None,
            started_on=s.rel.started_on,
            meetings_held=s.meetings_held(),
        )
        s.planning.alert(StallAlert(line, window, stall_on))


def compose_cadence(
    programme: ProgrammeConfig,
    rel: Relationship,
    person: Person,
    rules: GroundRules | None,
    last_met_on: date | None,
    today: date,
) -> Message:
    heading = programme.text("nudge.cadence.title", title=title(programme, rel, person.id))
    since = (
        programme.text("nudge.cadence.since", date=show_date(last_met_on), days=(today - last_met_on).days)
        if last_met_on is not None
        else programme.text("nudge.cadence.never")
    )
    body = [
        since,
        rule_line(programme, rules, "frequency"),
        rule_line(programme, rules, "who_schedules", reader_of(rel, person.id)),
        programme.text("nudge.cadence.ask"),
    ]
    button = command_button(programme, "nudge.button.schedule", "schedule", primary=True)
    return message([Section(heading, "\n\n".join(body)), Buttons((button,))], heading)


def compose_stall_alert(programme: ProgrammeConfig, lines: Sequence[StallLine], today: date) -> Message:
    heading = programme.text("nudge.stall.title")
    out = []
    for s in lines:
        if s.last_met_on is not None:
            last = programme.text(
                "nudge.stall.last_met", date=show_date(s.last_met_on), days=(today - s.last_met_on).days
            )
        else:
            last = programme.text(
                "nudge.stall.never_met", date=show_date(s.started_on), days=(today - s.started_on).days
            )
        out.append(
            programme.text(
                "nudge.stall.line",
                kind=kind_label(programme, s.kind),
                id=s.relationship_id,
                names=", ".join(s.names),
                last=last,
                held=s.meetings_held,
            )
        )
    return message([Section(heading, programme.text("nudge.stall.intro")), Text("\n".join(out))], heading)


FAMILY = Family(specs=(CADENCE, STALL), names=("schedule",), plan=plan)
