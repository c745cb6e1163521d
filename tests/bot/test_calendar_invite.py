"""The calendar invite of a meeting: what a calendar program reads from it."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

from icalendar import Calendar

from bot.calendar_invite import invite_attachment
from bot.calendar_invite import invite_ics
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Membership
from bot.model import Person
from bot.model import Relationship
from bot.model import Side
from bot.programme import ProgrammeConfig

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROGRAMME = ProgrammeConfig.default()


def pair() -> Relationship:
    mentor = Person(email="mentor@example.org", name="Maria Mentor", timezone="America/New_York", id=1)
    mentee = Person(email="mentee@example.org", name="Eli Mentee", timezone="Europe/London", id=2)
    return Relationship(
        kind="coaching",
        format="one-to-one",
        phase="initiation",
        started_on=date(2026, 3, 1),
        members=[
            Membership(person=mentor, side=Side.GUIDE, person_id=1),
            Membership(person=mentee, side=Side.LEARNER, person_id=2),
        ],
        id=7,
    )


def confirmed(**changes: object) -> Meeting:
    meeting = Meeting(
        relationship_id=7,
        status=MeetingStatus.CONFIRMED,
        scheduled_by=2,
        created_at=NOW,
        starts_at=datetime(2026, 3, 5, 14, 30, tzinfo=UTC),
        duration_minutes=45,
        location="Room 3, Library",
        id=12,
    )
    for key, value in changes.items():
        setattr(meeting, key, value)
    return meeting


def event_of(text: str) -> tuple[Calendar, object]:
    cal = Calendar.from_ical(text)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_a_confirmed_meeting_is_a_request_with_utc_times_and_every_member_invited() -> None:
    cal, event = event_of(invite_ics(confirmed(), pair(), PROGRAMME, NOW))
    assert str(cal["METHOD"]) == "REQUEST"
    assert event["UID"] == "meeting-12@mentoring-programme.mentorbot"
    assert event.decoded("DTSTART") == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 5, 15, 15, tzinfo=UTC)
    assert "DTSTART:20260305T143000Z" in invite_ics(confirmed(), pair(), PROGRAMME, NOW).replace("\r\n", "\n")
    assert event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "Room 3, Library"
    assert str(event["SUMMARY"]) == "Coaching meeting: Maria Mentor & Eli Mentee"
    attendees = {str(a): a.params["CN"] for a in event.get("ATTENDEE")}
    assert attendees == {
        "mailto:mentor@example.org": "Maria Mentor",
        "mailto:mentee@example.org": "Eli Mentee",
    }
    assert str(event["ORGANIZER"]) == "mailto:mentee@example.org"  # who proposed the time


def test_the_uid_stays_and_the_sequence_grows_when_the_meeting_moves() -> None:
    _, first = event_of(invite_ics(confirmed(), pair(), PROGRAMME, NOW))
    moved = confirmed(starts_at=datetime(2026, 3, 9, 14, 30, tzinfo=UTC), sequence=1)
    _, second = event_of(invite_ics(moved, pair(), PROGRAMME, NOW))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]


def test_a_cancelled_meeting_is_a_cancellation_of_the_same_event() -> None:
    attachment = invite_attachment(
        confirmed(status=MeetingStatus.CANCELLED, sequence=1), pair(), PROGRAMME, NOW
    )
    assert attachment.filename == "meeting-12-cancelled.ics"
    assert attachment.mime_type == "text/calendar"
    cal, event = event_of(attachment.content)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == "meeting-12@mentoring-programme.mentorbot"


def test_the_invite_points_to_the_chat_for_the_agenda() -> None:
    _, event = event_of(invite_ics(confirmed(), pair(), PROGRAMME, NOW))
    assert "The agenda is in the chat" in str(event["DESCRIPTION"])
