"""Calendar invites (iCalendar, RFC 5545/5546) for confirmed meetings.

One meeting keeps one ``UID`` for its whole life, so a calendar updates the event in place when the
meeting is moved (``SEQUENCE`` grows) or removes it when it is cancelled (``METHOD:CANCEL`` with
``STATUS:CANCELLED``).  Times are written in UTC; every calendar shows them in its owner's zone.

The invite carries no agenda or other content a member wrote: calendars are often shared with
colleagues and assistants, and what a pair discusses stays between them.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from icalendar import Calendar
from icalendar import Event
from icalendar import vCalAddress
from icalendar import vText

from bot.messages import Attachment
from bot.model import Meeting
from bot.model import MeetingStatus
from bot.model import Relationship
from bot.programme import ProgrammeConfig

MIME_TYPE = "text/calendar"
PRODID = "-//mentorbot//mentoring meetings//EN"


def invite_uid(meeting_id: int, programme: ProgrammeConfig) -> str:
    """Stable for the meeting's whole life, unique across programmes."""
    return f"meeting-{meeting_id}@{programme.slug}.mentorbot"


def invite_filename(meeting_id: int, *, cancelled: bool = False) -> str:
    return f"meeting-{meeting_id}{'-cancelled' if cancelled else ''}.ics"


def invite_ics(
    meeting: Meeting, relationship: Relationship, programme: ProgrammeConfig, now: datetime
) -> str:
    """The iCalendar text for ``meeting``: a request while it stands, a cancellation once cancelled."""
    if meeting.id is None or meeting.starts_at is None:
        raise ValueError("only a stored meeting with a confirmed time has an invite")
    cancelled = meeting.status == MeetingStatus.CANCELLED
    names = " & ".join(m.person.name for m in relationship.current_members())
    kind = programme.text(f"kind.{relationship.kind}.label")

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", invite_uid(meeting.id, programme))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", programme.text("meeting.invite.summary", kind=kind, names=names))
    event.add(
        "description",
        programme.text("meeting.invite.description", kind=kind, programme=programme.name, id=meeting.id),
    )
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")

    for membership in relationship.current_members():
        person = membership.person
        address = vCalAddress(f"mailto:{person.email}")
        address.params["cn"] = vText(person.name)
        if person.id == meeting.scheduled_by:
            event["organizer"] = address
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", attendee, encode=False)

    cal.add_component(event)
    raw: bytes = cal.to_ical()
    return raw.decode("utf-8")


def invite_attachment(
    meeting: Meeting, relationship: Relationship, programme: ProgrammeConfig, now: datetime
) -> Attachment:
    """The invite as a neutral attachment, ready to go into a reply or a notice."""
    assert meeting.id is not None
    cancelled = meeting.status == MeetingStatus.CANCELLED
    return Attachment(
        invite_filename(meeting.id, cancelled=cancelled),
        MIME_TYPE,
        invite_ics(meeting, relationship, programme, now),
    )
