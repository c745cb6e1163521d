"""``first_meeting``: until the pair has anything booked, whoever the ground rules make responsible for
booking (default: the mentee) is asked to book a first meeting, 2 and 9 days after they joined.  With
``goals`` also listed, mentees get the preparation prompt (strengths, growth areas, goals) with it."""

from __future__ import annotations

import functools
from datetime import timedelta

from bot.ground_rules import responsible_for_scheduling
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.model import GroundRules
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.readers import reader_of
from bot.relationship_view import title
from scheduler.localtime import day_slot
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._compose import rule_line
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

FIRST_MEETING = NudgeSpec("first_meeting", "first_meeting", 40, timedelta(days=5), True)
GOALS = "goals"  # the option that adds the mentee's preparation
DAYS = (2, 9)  # days after joining when the first and second prompt go
_LIVE = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.MISSED)


def plan(s: RelationshipScope) -> None:
    if not s.gated(FIRST_MEETING) or s.f.meetings_held or s.f.last_met_at is not None:
        return
    if any(m.status in _LIVE for m in s.f.meetings):
        return
    learners = {p.id for p in s.learner_side}
    for n, days in enumerate(DAYS, start=1):
        for person in responsible_for_scheduling(s.rules, s.programme, s.rel):
            build = functools.partial(
                compose,
                s.programme,
                s.rel,
                person,
                s.rules,
                goals=person.id in learners and s.wants(GOALS),
            )
            s.offer(
                FIRST_MEETING,
                person,
                f"first_meeting:{s.f.id}:{n}:{person.id}",
                day_slot(s.joined_on(person) + timedelta(days=days), person, s.programme),
                build,
            )


def compose(
    programme: ProgrammeConfig, rel: Relationship, person: Person, rules: GroundRules | None, *, goals: bool
) -> Message:
    """``goals``: add the mentee's preparation (strengths, growth areas, goals) when the phase asks for it."""
    heading = programme.text("nudge.first_meeting.title", title=title(programme, rel, person.id))
    body = [
        programme.text("nudge.first_meeting.body"),
        rule_line(programme, rules, "who_schedules", reader_of(rel, person.id)),
    ]
    buttons = [command_button(programme, "nudge.button.schedule", "schedule", primary=True)]
    if goals:
        body.append(programme.text("nudge.first_meeting.goals"))
        buttons.append(Button(programme.text("goals.button.add"), "goals.open", {"r": str(rel.id)}))
    return message([Section(heading, "\n\n".join(body)), Buttons(tuple(buttons))], heading)


FAMILY = Family(specs=(FIRST_MEETING,), names=("first_meeting", GOALS), plan=plan)
