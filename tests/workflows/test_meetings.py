"""Meeting scheduling end to end through the console, on SQLite and PostgreSQL.

The clock stands at Monday 2026-03-02 09:00 UTC. The mentor is in New York (EST, UTC-5 until 8 March),
the mentee in London (GMT until 29 March).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from icalendar import Calendar

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.messages import Attachment
from bot.messages import Message
from bot.model import AgendaItem
from bot.model import Meeting
from bot.model import MeetingStatus
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]
Receive = Callable[[ConsoleSession], str]
Notices = Callable[[str], list[Message]]


@pytest.fixture
def stored(uow_factory: SqlUnitOfWorkFactory) -> Callable[[Rel], list[Meeting]]:
    """The meetings of a relationship as stored, read as its first member would."""

    def read(rel: Rel) -> list[Meeting]:
        with uow_factory() as uow:
            viewer = uow.people.get(rel.members[0].id)
            assert viewer is not None
            return [snapshot(m) for m in uow.content(viewer).meetings(rel.id)]

    return read


def snapshot(meeting: Meeting) -> Meeting:
    """A detached copy, readable after the unit of work has closed."""
    return Meeting(**{f.name: getattr(meeting, f.name) for f in fields(Meeting)})


def attachments(messages: list[Message]) -> list[Attachment]:
    return [b for m in messages for b in m.blocks if isinstance(b, Attachment)]


def calendar(att: Attachment) -> Calendar:
    assert att.mime_type == "text/calendar"
    return Calendar.from_ical(att.content)


def propose(s: ConsoleSession, *times: str, command: str = "schedule", **extra: str) -> str:
    s.send(command)
    values = {f"option{i + 1}": t for i, t in enumerate(times)} | extra
    for i in range(len(times), 3):
        values.setdefault(f"option{i + 1}", "")
    s.submit(values)
    return s.text()


def test_a_pair_agrees_a_time_each_seeing_it_in_their_own_zone(
    pair: Rel, session: Session, receive: Receive, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("schedule")
    assert "Europe/London" in mentee.text()
    sent = propose(mentee, "2026-03-05 14:30", "2026-03-06 10:00")
    assert "Sent to Maria Mentor" in sent
    assert "Thu 5 Mar 2026, 14:30 GMT" in sent

    offer = receive(mentor)
    assert "Eli Mentee suggests meeting for 60 minutes" in offer
    assert "Thu 5 Mar 2026, 09:30 EST" in offer
    assert "Fri 6 Mar 2026, 05:00 EST" in offer
    mentor.press("Thu 5 Mar 2026, 09:30 EST")
    assert "confirmed" in mentor.text()
    assert "Thu 5 Mar 2026, 09:30 EST" in mentor.text()

    told = receive(mentee)
    assert "confirmed" in told
    assert "Thu 5 Mar 2026, 14:30 GMT" in told
    invite = calendar(attachments(mentee.last)[0])
    event = invite.walk("VEVENT")[0]
    assert str(invite["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert {str(a) for a in event.get("ATTENDEE")} == {
        "mailto:mentor@example.org",
        "mailto:mentee@example.org",
    }

    (meeting,) = stored(pair)
    assert meeting.status == MeetingStatus.CONFIRMED
    assert meeting.starts_at == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)

    mentor.send("meetings")
    assert f"Meeting {meeting.id}: Thu 5 Mar 2026, 09:30 EST, confirmed" in mentor.text()


def test_a_group_meeting_is_confirmed_once_every_member_has_said_yes(
    group: Rel, session: Session, receive: Receive, notices: Notices, stored: Callable[[Rel], list[Meeting]]
) -> None:
    lead = session(group.guide.email)
    propose(lead, "2026-03-04 15:00", "2026-03-05 15:00")  # Berlin: 14:00 UTC
    one, two, three = (session(m.email) for m in group.learners)
    assert "Wed 4 Mar 2026, 14:00 GMT" in receive(one)
    assert "Wed 4 Mar 2026, 19:30 IST" in receive(two)
    assert "Wed 4 Mar 2026, 06:00 PST" in receive(three)

    one.press("Wed 4 Mar 2026")
    assert "still waiting for Lin Two and Lou Three" in one.text()
    two.press("Wed 4 Mar 2026")
    assert stored(group)[0].status == MeetingStatus.PROPOSED
    assert "Waiting for: Lou Three" not in lead.text()  # the lead hears about each yes in the outbox
    assert "Lin Two can make" in receive(lead)

    three.press("Wed 4 Mar 2026")
    assert "confirmed" in three.text()
    assert stored(group)[0].status == MeetingStatus.CONFIRMED
    for member in (group.guide, group.learners[0], group.learners[1]):
        latest = notices(member.email)[-1]
        assert attachments([latest]), f"{member.email} got no invite"
    invite = calendar(attachments(three.last)[0]).walk("VEVENT")[0]
    assert len(invite.get("ATTENDEE")) == 4


def test_decline_then_other_times_then_a_stale_button_changes_nothing(
    pair: Rel, session: Session, receive: Receive, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    propose(mentee, "2026-03-05 14:30")
    receive(mentor)
    old_offer = list(mentor.last)
    mentor.press("None of these work")
    assert "none of those times work" in mentor.text()
    assert "can't make any of the times" in receive(mentee)

    mentor.press("Suggest other times")
    mentor.submit({"option1": "2026-03-06 11:00"})
    assert "other times are on their way" in mentor.text()
    offer = receive(mentee)
    assert "Maria Mentor suggests" in offer
    assert "Fri 6 Mar 2026, 16:00 GMT" in offer

    mentor.last = old_offer  # the first offer is still on the mentor's screen
    mentor.press("Thu 5 Mar 2026, 09:30 EST")
    assert "no longer applies" in mentor.text()
    assert stored(pair)[0].status == MeetingStatus.PROPOSED

    mentee.press("Fri 6 Mar 2026, 16:00 GMT")
    assert "confirmed" in mentee.text()
    (meeting,) = stored(pair)
    assert meeting.starts_at == datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    mentee.act("meeting.accept", {"m": str(meeting.id), "at": meeting.starts_at.isoformat()})
    assert "no longer applies" in mentee.text()
    assert stored(pair)[0].sequence == meeting.sequence


def test_every_button_has_a_typed_equivalent(
    pair: Rel, session: Session, receive: Receive, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    propose(mentee, "2026-03-05 14:30", "2026-03-06 10:00")
    (meeting,) = stored(pair)
    mentor.send(f"meetings accept {meeting.id}")
    assert "say which one" in mentor.text()
    mentor.send(f"meetings accept {meeting.id} 2")
    assert "Fri 6 Mar 2026, 05:00 EST" in mentor.text()
    assert "confirmed" in mentor.text()
    mentor.send(f"meetings accept {meeting.id} 2")
    assert "no longer being arranged" in mentor.text()

    mentee.send(f"meetings invite {meeting.id}")
    assert attachments(mentee.last)
    mentee.send("meetings frobnicate")
    assert "not something I can do with meetings" in mentee.text()


def test_moving_at_short_notice_warns_and_updates_the_same_calendar_event(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    propose(mentee, "2026-03-05 14:30")
    receive(mentor)
    mentor.press("Thu 5 Mar")
    first = calendar(attachments(mentor.last)[0]).walk("VEVENT")[0]

    clock.set(datetime(2026, 3, 5, 9, 30, tzinfo=UTC))  # five hours before
    mentee.send(f"meetings move {stored(pair)[0].id}")
    assert "your agreed notice for cancelling is 24 hours, and this is 5 hours before" in mentee.text()
    mentee.submit({"option1": "2026-03-09 14:30"})
    assert "5 hours before" in mentee.text()
    offer = receive(mentor)
    assert "This moves the meeting that was set for Thu 5 Mar 2026, 09:30 EST" in offer
    assert "Mon 9 Mar 2026, 10:30 EDT" in offer  # New York is on summer time from 8 March
    mentor.press("Mon 9 Mar 2026")
    moved = calendar(attachments(mentor.last)[0]).walk("VEVENT")[0]
    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved.decoded("DTSTART") == datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


def test_cancelling_tells_the_others_and_removes_the_calendar_event(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    propose(mentee, "2026-03-05 14:30")
    receive(mentor)
    mentor.press("Thu 5 Mar")
    meeting_id = stored(pair)[0].id
    clock.set(datetime(2026, 3, 4, 20, 0, tzinfo=UTC))

    mentor.press("Cancel")
    assert "24 hours" in mentor.text()  # the form says so before anything happens
    mentor.submit({"reason": "a clinic overran"})
    assert f"Meeting {meeting_id} is cancelled" in mentor.text()
    note = receive(mentee)
    assert "Maria Mentor cancelled" in note
    assert "a clinic overran" in note
    assert "short notice: 18 hours 30 minutes before the meeting, where you agreed 24 hours" in note
    # the advice to apologise is for the one who cancelled, not for the one cancelled on
    assert "apology" not in note
    assert "apology" in mentor.text()
    cancel = calendar(attachments(mentee.last)[0])
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert stored(pair)[0].status == MeetingStatus.CANCELLED

    mentor.act("meeting.cancel.submit", {"v": "99", "reason": "again"})
    assert "no longer applies" in mentor.text()
    mentee.send(f"meetings cancel {meeting_id} twice")
    assert f"Meeting {meeting_id} is already cancelled, so nothing has changed" in mentee.text()


def test_times_in_the_past_the_dst_gap_and_bad_values_are_explained_and_nothing_is_stored(
    pair: Rel, session: Session, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("schedule")
    form = mentee.last_form()
    assert form is not None
    mentee.submit({"option1": "2026-03-01 10:00"})
    assert "already passed" in mentee.text()
    assert mentee.last_form() is not None  # the form comes back, filled in, to correct

    mentee.submit({"option1": "2026-03-29 01:30"})
    assert "01:30 doesn't exist on that day in Europe/London" in mentee.text()

    mentee.submit({"option1": "next thursday"})
    assert "2026-03-05 14:30" in mentee.text()

    mentee.submit({"option1": "2026-03-05 14:30", "location": "x" * 300})
    assert "place or video link is too long" in mentee.text()

    assert "x" * 300 in mentee.text()  # what was typed comes back, to shorten rather than retype
    mentee.submit({"option1": "2026-03-05 14:30", "location": "Room 3", "minutes": "an hour"})
    assert "whole number from 5 to 480" in mentee.text()

    mentee.submit({"option1": "", "option2": "", "option3": ""})
    assert "at least one time" in mentee.text()
    assert stored(pair) == []

    mentee.submit({"option1": "2026-03-05 14:30", "minutes": "45"})
    assert "Sent to Maria Mentor" in mentee.text()
    (meeting,) = stored(pair)
    assert (meeting.location, meeting.duration_minutes) == ("Room 3", 45)


def test_an_autumn_time_that_happens_twice_is_taken_as_the_first_with_a_note(
    pair: Rel, session: Session, clock: FixedClock, stored: Callable[[Rel], list[Meeting]]
) -> None:
    clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    mentee = session(pair.mentee.email)
    text = propose(mentee, "2026-10-25 01:30")
    assert "happens twice on 2026-10-25 in Europe/London" in text
    assert "01:30 BST" in text
    assert stored(pair)[0].options == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC).isoformat()]


def test_a_form_sent_twice_or_after_a_newer_one_is_stale(
    pair: Rel, session: Session, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("schedule")
    older = mentee.last_form()
    mentee.send("schedule")
    assert older is not None
    mentee.act(older.submit_action, {**older.hidden, "option1": "2026-03-05 14:30", "minutes": "60"})
    assert "no longer applies" in mentee.text()
    assert stored(pair) == []

    mentee.send("schedule")
    form = mentee.last_form()
    assert form is not None
    values = {**form.hidden, "option1": "2026-03-05 14:30", "minutes": "60"}
    mentee.act(form.submit_action, values)
    mentee.act(form.submit_action, values)
    assert "no longer applies" in mentee.text()
    assert len(stored(pair)) == 1


def test_someone_elses_meeting_is_not_found_and_outsiders_are_refused(
    pair: Rel,
    group: Rel,
    outsider: Member,
    session: Session,
    stored: Callable[[Rel], list[Meeting]],
) -> None:
    propose(session(pair.mentee.email), "2026-03-05 14:30")
    (meeting,) = stored(pair)
    at = meeting.options[0]
    for intruder in (outsider.email, group.learners[0].email):
        s = session(intruder)
        s.act("meeting.accept", {"m": str(meeting.id), "at": at})
        assert "couldn't find that" in s.text()
        s.send(f"meetings accept {meeting.id} 1")
        assert "couldn't find that" in s.text()
        s.send(f"meetings cancel {meeting.id} because")
        assert "couldn't find that" in s.text()
    assert stored(pair)[0].status == MeetingStatus.PROPOSED
    assert stored(pair)[0].responses == {}

    stranger = session(outsider.email)
    stranger.send(f"schedule #{pair.id}")
    assert "not one of yours" in stranger.text()
    stranger.send("schedule")
    assert "don't have an active relationship" in stranger.text()


def test_the_proposer_cannot_accept_their_own_times(
    pair: Rel, session: Session, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee = session(pair.mentee.email)
    propose(mentee, "2026-03-05 14:30")
    mentee.send(f"meetings accept {stored(pair)[0].id} 1")
    assert "You offered these times yourself" in mentee.text()


def test_a_restart_between_opening_and_sending_the_form_loses_nothing(
    pair: Rel, session: Session, restart: Callable[[], MentorBot], stored: Callable[[Rel], list[Meeting]]
) -> None:
    before = session(pair.mentee.email)
    before.send("schedule")
    form = before.last_form()
    assert form is not None
    after = session(pair.mentee.email, restart())
    after.last = before.last
    after.submit({"option1": "2026-03-05 14:30"})
    assert "Sent to Maria Mentor" in after.text()
    assert len(stored(pair)) == 1


def test_the_next_date_is_suggested_from_the_cadence_at_the_same_local_time(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("schedule")
    form = mentee.last_form()
    assert form is not None
    assert form.inputs[0].value == "2026-03-05 10:00"  # the first meeting: three days ahead, 10:00 local

    propose(mentee, "2026-03-05 14:30")
    receive(mentor)
    mentor.press("Thu 5 Mar")
    clock.set(datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    mentee.send(f"met {stored(pair)[0].id} yes 50")
    mentee.send("schedule")
    form = mentee.last_form()
    assert form is not None
    # 28 days later, after the clocks changed in London: still 14:30 on the mentee's clock
    assert form.inputs[0].value == "2026-04-02 14:30"


def test_an_ended_relationship_gets_no_new_meetings(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        rel = uow.relationships.get(pair.id)
        assert rel is not None
        rel.status = "ended"
        uow.commit()
    mentee = session(pair.mentee.email)
    mentee.send(f"schedule #{pair.id}")
    assert "has ended" in mentee.text()


def test_unknown_commands_suggest_the_nearest_one(pair: Rel, session: Session) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("shedule")
    assert "Did you mean *schedule*?" in mentee.text()
    mentee.send("meetngs")
    assert "Did you mean *meetings*?" in mentee.text()


def test_meetings_lists_upcoming_and_recent_in_the_viewers_zone(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, stored: Callable[[Rel], list[Meeting]]
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    propose(mentee, "2026-03-03 12:00")
    receive(mentor)
    mentor.press("Tue 3 Mar")
    propose(mentee, "2026-03-10 12:00")
    held, proposed = stored(pair)
    clock.advance(timedelta(days=2))
    mentee.send(f"met {held.id} yes 45")
    mentor.send("meetings")
    text = mentor.text()
    assert f"Meeting {proposed.id}: times offered by Eli Mentee: Tue 10 Mar 2026, 08:00 EDT" in text
    assert f"Meeting {held.id}: Tue 3 Mar 2026, 07:00 EST, held (45 minutes)" in text
    assert f"Answer meeting {proposed.id}" in text


def test_the_invite_carries_nothing_the_mentee_wrote(
    pair: Rel, session: Session, receive: Receive, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    with uow_factory() as uow:
        person = uow.people.get(pair.mentee.id)
        assert person is not None
        uow.content(person).add_agenda_item(
            AgendaItem(
                relationship_id=pair.id,
                author_id=pair.mentee.id,
                text="my doubts about the residency application",
                position=1,
                created_at=clock.now(),
            )
        )
        uow.commit()
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    propose(mentee, "2026-03-05 14:30")
    receive(mentor)
    mentor.press("Thu 5 Mar")
    (invite,) = attachments(mentor.last)
    assert "residency" not in invite.content
    assert "doubts" not in invite.content
