"""Meeting-bound nudges, before and after every confirmed meeting (the first included), in any phase:
the programme's ``agenda`` name is accepted in a phase's list but gates nothing (a person's opt-out of a
kind still counts).

* ``agenda_request``: whoever sets the agenda (default: the mentee) is asked a day before the agenda is
  due (the agreed ``agenda_lead_time``, else the programme's ``agenda_lead``, before the meeting); before
  the pair's first meeting the questions fit a first meeting;
* ``agenda_compiled``: the guides (everyone, in a peer relationship) receive the agenda when it is due;
* ``followup`` ("did you meet?"): every member, an hour after the meeting ends (its text is
  :func:`bot.followup.did_you_meet_message`, the same one the workflow shows).
"""

from __future__ import annotations

import functools
from datetime import date
from datetime import datetime
from datetime import timedelta

from bot.agenda import agenda_setters
from bot.agenda import compiled_agenda
from bot.agenda import is_peer_relationship
from bot.agenda import items_for
from bot.agenda import preparation_prompts
from bot.errors import NotFound
from bot.errors import NotPermitted
from bot.followup import did_you_meet_message
from bot.ground_rules import agenda_lead as agenda_lead_of
from bot.meetings import ends_at
from bot.meetings import held_becomes_due
from bot.messages import Buttons
from bot.messages import Message
from bot.messages import Section
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import Goal
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Person
from bot.model import Relationship
from bot.programme import ProgrammeConfig
from bot.readers import reader_of
from bot.relationship_view import title
from bot.snapshot import RelationshipFacts
from bot.timefmt import show
from scheduler.localtime import local_date
from scheduler.localtime import release
from scheduler.nudges._compose import command_button
from scheduler.nudges._compose import message
from scheduler.nudges._compose import rules_items
from scheduler.nudges._scope import RelationshipScope
from scheduler.nudges._spec import Family
from scheduler.nudges._spec import NudgeSpec

AGENDA_REQUEST = NudgeSpec("agenda_request", "agenda", 20, timedelta(days=2), False)
AGENDA_COMPILED = NudgeSpec("agenda_compiled", "agenda", 15, timedelta(days=2), False)
FOLLOWUP = NudgeSpec("followup", None, 25, timedelta(days=3), False)
REQUEST_BEFORE_DEADLINE = timedelta(hours=24)  # the mentee is asked a day before the agenda is due
FOLLOWUP_AFTER_END = timedelta(hours=1)


def plan(s: RelationshipScope) -> None:
    lead = agenda_lead_of(s.rules, s.programme)
    never_met = s.last_met() is None
    confirmed = [m for m in s.f.meetings if m.status == MeetingStatus.CONFIRMED and m.starts_at]
    for m in s.f.meetings:
        if m.status != MeetingStatus.CONFIRMED or m.starts_at is None or m.id is None:
            continue
        ref = f"{m.id}.{m.sequence}"
        if m.starts_at > s.now:
            # the pair's first meeting: they never met, and nothing confirmed comes before it
            first = never_met and not any(o.starts_at < m.starts_at for o in confirmed if o.starts_at)
            _agenda(s, m, ref, lead, first)
        held_at = held_becomes_due(m, s.programme.held_grace)
        if held_at is not None and held_at > s.now:
            s.wake(held_at)  # an unanswered meeting starts to count as held then
        end = ends_at(m) or m.starts_at
        for person in s.members:
            build = functools.partial(did_you_meet_message, s.programme, s.rel, m, person)
            s.offer(
                FOLLOWUP,
                person,
                f"followup:{ref}:{person.id}",
                release(end + FOLLOWUP_AFTER_END, person, s.programme, routine=False),
                build,
                expires=end + FOLLOWUP.grace,
            )


def _agenda(s: RelationshipScope, m: Meeting, ref: str, lead: timedelta, first: bool) -> None:
    assert m.starts_at is not None
    deadline = m.starts_at - lead
    count = agenda_count(s.f, m)
    for person in agenda_setters(s.rel, rules_items(s.rules), s.programme):
        build = functools.partial(
            compose_request, s.programme, s.rel, person, m, deadline, count, first=first
        )
        due = release(deadline - REQUEST_BEFORE_DEADLINE, person, s.programme, routine=False)
        s.offer(AGENDA_REQUEST, person, f"agenda_request:{ref}:{person.id}", due, build, expires=deadline)
    readers = s.members if is_peer_relationship(s.rel) else (s.rel.guides() or s.members)
    for person in readers:
        build = functools.partial(compose_compiled, s.programme, s.f, person, m, local_date(s.now, person))
        due = release(deadline, person, s.programme, routine=False)
        s.offer(
            AGENDA_COMPILED, person, f"agenda_compiled:{ref}:{person.id}", due, build, expires=m.starts_at
        )


def agenda_count(facts: RelationshipFacts, meeting: Meeting) -> int:
    """How many items the agenda of ``meeting`` has so far."""
    return len(items_for(meeting, facts.agenda, list(facts.meetings)))


def compose_request(
    programme: ProgrammeConfig,
    rel: Relationship,
    person: Person,
    meeting: Meeting,
    deadline: datetime,
    items_so_far: int,
    *,
    first: bool = False,
) -> Message:
    """The mentee's reminder to prepare the agenda; before the pair's first meeting (``first``) the
    questions fit a first meeting (no "since we last met")."""
    assert meeting.starts_at is not None
    when = show(meeting.starts_at, person.timezone)
    heading = programme.text("nudge.agenda_request.title", title=title(programme, rel, person.id), when=when)
    lines = [programme.text("nudge.agenda_request.body", deadline=show(deadline, person.timezone))]
    if first:
        lines.insert(0, programme.text("nudge.agenda_request.first"))
    reader = reader_of(rel, person.id)
    lines += [
        f"• {programme.text_for(key, reader)}"
        for key in preparation_prompts(first=first)
        if programme.catalogue.has(key)
    ]
    if items_so_far:
        lines.append(programme.text("nudge.agenda_request.count", count=items_so_far))
    button = command_button(programme, "nudge.button.agenda", "agenda", primary=True)
    return message([Section(heading, "\n".join(lines)), Buttons((button,))], heading)


class MemberContent:
    """One relationship's content from the snapshot, as one of its members may read it.

    It answers the handful of ``ContentAccess`` questions :func:`bot.agenda.compiled_agenda` asks, with
    the same membership check, so the agenda a guide receives is drawn exactly as the workflow draws it.
    """

    def __init__(self, facts: RelationshipFacts, viewer_id: int) -> None:
        if not facts.relationship.is_member(viewer_id):
            raise NotPermitted("error.not_member")
        self.facts = facts
        self.viewer_id = viewer_id

    def _check(self, relationship_id: int) -> None:
        if relationship_id != self.facts.id:
            raise NotPermitted("error.not_member")

    def relationship(self, relationship_id: int) -> Relationship:
        self._check(relationship_id)
        return self.facts.relationship

    def meetings(self, relationship_id: int) -> list[Meeting]:
        self._check(relationship_id)
        return list(self.facts.meetings)

    def meeting(self, meeting_id: int) -> Meeting:
        for m in self.facts.meetings:
            if m.id == meeting_id:
                return m
        raise NotFound("error.not_found")

    def agenda(self, relationship_id: int) -> list[AgendaItem]:
        self._check(relationship_id)
        return list(self.facts.agenda)

    def actions(self, relationship_id: int) -> list[ActionItem]:
        self._check(relationship_id)
        return list(self.facts.actions)

    def goals(self, relationship_id: int) -> list[Goal]:
        self._check(relationship_id)
        return list(self.facts.goals)


def compose_compiled(
    programme: ProgrammeConfig, facts: RelationshipFacts, person: Person, meeting: Meeting, today: date
) -> Message:
    assert meeting.starts_at is not None and person.id is not None
    content = MemberContent(facts, person.id)
    blocks = compiled_agenda(content, facts.relationship, meeting, programme.text, today=today)
    blocks = [*blocks, Buttons((command_button(programme, "nudge.button.agenda", "agenda"),))]
    summary = programme.text("nudge.agenda_compiled.summary", when=show(meeting.starts_at, person.timezone))
    return message(blocks, summary)


FAMILY = Family(specs=(AGENDA_REQUEST, AGENDA_COMPILED, FOLLOWUP), names=("agenda",), plan=plan)
