"""``checkin``: mentees (every member of a peer relationship's learner side) are asked how supported,
challenged and safe they feel, every ``checkin_interval`` after their last check-in or the start of the
phase."""

from __future__ import annotations

import functools
from datetime import datetime
from datetime import timedelta

from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.readers import reader_of
from bot.relationship_view import title
from scheduler.localtime import day_slot
from scheduler.localtime import local_date
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

CHECKIN = NudgeSpec("checkin", "checkin", 60, timedelta(days=7), True)


def plan(s: RelationshipScope) -> None:
    if not s.gated(CHECKIN):
        return
    interval = s.programme.checkin_interval
    for person in s.learner_side:
        last = s.f.last_checkin.get(person.id or 0)
        anchor = max(last, s.phase_entered_at) if last is not None else s.phase_entered_at
        for n in occurrences(anchor, interval, s.now):
            day = local_date(anchor + n * interval, person)
            build = functools.partial(compose, s.programme, s.rel, person)
            s.offer(
                CHECKIN,
                person,
                f"checkin:{s.f.id}:{person.id}:{day.isoformat()}",
                day_slot(day, person, s.programme),
                build,
            )


def occurrences(anchor: datetime, interval: timedelta, now: datetime) -> list[int]:
    """The numbers of the current (latest at or before ``now``) and the next periodic occurrence."""
    k = int((now - anchor) / interval) if now >= anchor else 0
    return [n for n in (k, k + 1) if n >= 1]


def compose(programme: ProgrammeConfig, rel: Relationship, person: Person) -> Message:
    heading = programme.text("nudge.checkin.title", title=title(programme, rel, person.id))
    button = command_button(programme, "nudge.button.checkin", "checkin", primary=True)
    return message(
        [
            Section(heading, programme.text_for("nudge.checkin.body", reader_of(rel, person.id))),
            Buttons((button,)),
        ],
        heading,
    )


FAMILY = Family(specs=(CHECKIN,), names=("checkin",), plan=plan)
