"""After the meeting: "did you meet?" -- held with its length, missed, or moved; then the action plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.followup import did_you_meet_message
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.programme import ProgrammeConfig
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]
Receive = Callable[[ConsoleSession], str]
START = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def stored(uow_factory: SqlUnitOfWorkFactory) -> Callable[[Rel], Meeting]:
    def read(rel: Rel) -> Meeting:
        with uow_factory() as uow:
            (m,) = uow.system_content("test").as_member(rel.members[0].id).meetings(rel.id)
            return Meeting(**{f.name: getattr(m, f.name) for f in fields(Meeting)})

    return read


@pytest.fixture
def held_meeting(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, stored: Callable[[Rel], Meeting]
) -> Meeting:
    """A meeting the pair confirmed for Tue 3 Mar 12:00 UTC; the clock is then moved to 14:00."""
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("schedule")
    mentee.submit({"option1": "2026-03-03 12:00"})
    receive(mentor)
    mentor.press("Tue 3 Mar")
    clock.set(START + timedelta(hours=2))
    return stored(pair)


@pytest.fixture
def ask(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig
) -> Callable[[ConsoleSession, Rel, Meeting], str]:
    """Show a member the question the scheduler sends after the meeting."""

    def show(s: ConsoleSession, rel: Rel, meeting: Meeting) -> str:
        with uow_factory() as uow:
            relationship = uow.relationships.get(rel.id)
            person = uow.people.by_email(s.sender.email or "")
            assert relationship is not None
            assert person is not None
            s.last = [did_you_meet_message(programme, relationship, meeting, person)]
        return s.text()

    return show


Ask = Callable[[ConsoleSession, "Rel", Meeting], str]


def test_yes_records_the_length_and_offers_the_mentee_the_action_plan(
    pair: Rel,
    held_meeting: Meeting,
    session: Session,
    receive: Receive,
    ask: Ask,
    stored: Callable[[Rel], Meeting],
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    question = ask(mentee, pair, held_meeting)
    assert "was set for Tue 3 Mar 2026, 12:00 GMT. Did it take place?" in question
    assert "07:00 EST" in ask(mentor, pair, held_meeting)  # the mentor reads it in New York time

    mentee.press("Yes, we met")
    form = mentee.last_form()
    assert form is not None
    assert form.inputs[0].value == "60"
    mentee.submit({"minutes": "50"})
    assert f"meeting {held_meeting.id} took place, 50 minutes" in mentee.text()
    plan = mentee.find_button("Draft the action plan")
    assert plan.action == "actions.plan"
    assert plan.values == {"r": str(pair.id), "m": str(held_meeting.id)}

    told = receive(mentor)
    assert "Eli Mentee recorded meeting" in told
    assert "held, 50 minutes" in told
    assert "Draft the action plan" not in told  # the mentee drafts it

    meeting = stored(pair)
    assert (meeting.status, meeting.held_minutes) == (MeetingStatus.HELD, 50)

    ask(mentor, pair, held_meeting)
    mentor.press("Yes, we met")
    assert "already recorded as held, so nothing has changed" in mentor.text()


def test_when_the_guide_answers_the_mentee_is_offered_the_plan(
    pair: Rel, held_meeting: Meeting, session: Session, receive: Receive
) -> None:
    mentor, mentee = session(pair.mentor.email), session(pair.mentee.email)
    mentor.send(f"met {held_meeting.id} yes 45")
    assert "took place, 45 minutes" in mentor.text()
    assert "Your mentee drafts the action plan" in mentor.text()
    assert not mentor.buttons()
    receive(mentee)
    assert mentee.find_button("Draft the action plan").values["m"] == str(held_meeting.id)


def test_no_records_a_missed_meeting_and_offers_new_times(
    pair: Rel,
    held_meeting: Meeting,
    session: Session,
    receive: Receive,
    ask: Ask,
    stored: Callable[[Rel], Meeting],
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    ask(mentor, pair, held_meeting)
    mentor.press("No, it didn't happen")
    assert "didn't take place" in mentor.text()
    assert stored(pair).status == MeetingStatus.MISSED
    assert "Maria Mentor recorded that meeting" in receive(mentee)
    mentee.press("Suggest times to meet")
    assert mentee.last_form() is not None


def test_moved_opens_the_move_form_and_the_new_time_updates_the_same_event(
    pair: Rel,
    held_meeting: Meeting,
    session: Session,
    receive: Receive,
    ask: Ask,
    stored: Callable[[Rel], Meeting],
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    ask(mentee, pair, held_meeting)
    mentee.press("It moved to another time")
    assert "didn't happen then" in mentee.text()
    mentee.submit({"option1": "2026-03-04 12:00"})
    assert "This moves the meeting that was set for Tue 3 Mar 2026, 07:00 EST" in receive(mentor)
    mentor.press("Wed 4 Mar")
    meeting = stored(pair)
    assert meeting.id == held_meeting.id
    assert meeting.status == MeetingStatus.CONFIRMED
    assert meeting.starts_at == datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert meeting.sequence == held_meeting.sequence + 1


def test_typed_answers_and_bad_ones(
    pair: Rel, held_meeting: Meeting, session: Session, stored: Callable[[Rel], Meeting]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send(f"met {held_meeting.id} maybe")
    assert f"*met {held_meeting.id} yes 50*" in mentee.text()
    mentee.send(f"met {held_meeting.id} yes 2000")
    assert "whole number from 5 to 480" in mentee.text()
    mentee.send("met soon yes")
    assert "I expected a meeting number there" in mentee.text()
    assert stored(pair).status == MeetingStatus.CONFIRMED
    mentee.send(f"met {held_meeting.id} no")
    assert stored(pair).status == MeetingStatus.MISSED


def test_a_meeting_that_has_not_started_cannot_be_recorded(
    pair: Rel, held_meeting: Meeting, session: Session, clock: FixedClock, stored: Callable[[Rel], Meeting]
) -> None:
    clock.set(START - timedelta(hours=1))
    mentee = session(pair.mentee.email)
    mentee.send(f"met {held_meeting.id} yes 60")
    assert "hasn't started yet" in mentee.text()
    assert stored(pair).status == MeetingStatus.CONFIRMED


def test_outsiders_cannot_record_someone_elses_meeting(
    pair: Rel, held_meeting: Meeting, outsider: Member, session: Session, stored: Callable[[Rel], Meeting]
) -> None:
    s = session(outsider.email)
    s.send(f"met {held_meeting.id} yes 60")
    assert "couldn't find that" in s.text()
    s.act("followup.missed", {"m": str(held_meeting.id)})
    assert "couldn't find that" in s.text()
    assert stored(pair).status == MeetingStatus.CONFIRMED


def test_the_minutes_form_sent_twice_counts_once_and_survives_a_restart(
    pair: Rel,
    held_meeting: Meeting,
    session: Session,
    ask: Ask,
    restart: Callable[[], MentorBot],
    stored: Callable[[Rel], Meeting],
) -> None:
    before = session(pair.mentee.email)
    ask(before, pair, held_meeting)
    before.press("Yes, we met")
    after = session(pair.mentee.email, restart())
    after.last = before.last
    form = after.last_form()
    assert form is not None
    after.submit({"minutes": "40"})
    assert "40 minutes" in after.text()
    after.act(form.submit_action, {**form.hidden, "minutes": "90"})
    assert "no longer applies" in after.text()
    assert stored(pair).held_minutes == 40


def test_in_a_group_every_learner_is_offered_the_plan(
    group: Rel, session: Session, receive: Receive, clock: FixedClock, notices: Callable[[str], list]
) -> None:
    lead = session(group.guide.email)
    lead.send("schedule")
    lead.submit({"option1": "2026-03-03 13:00"})
    for member in group.learners:
        s = session(member.email)
        receive(s)
        s.press("Tue 3 Mar")
    clock.set(START + timedelta(hours=3))
    lead.send("meetings")
    meeting_id = lead.text().split("Meeting ")[1].split(":")[0]
    lead.send(f"met {meeting_id} yes 60")
    for member in group.learners:
        s = session(member.email)
        receive(s)
        assert s.find_button("Draft the action plan").action == "actions.plan"
