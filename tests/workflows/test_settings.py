"""Self-service: pause and resume, quiet hours, time zone, opting out of a kind of reminder, leaving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from bot.messages import Message
from bot.model import Person
from bot.nudge_kinds import NUDGE_KINDS
from handlers.console.channel import ConsoleSession
from handlers.console.render import render_message
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def stored(uow_factory: SqlUnitOfWorkFactory, member: Member) -> Person:
    with uow_factory() as uow:
        person = uow.people.get(member.id)
        assert person is not None
        uow.session.expunge(person)
        return person


def test_pause_indefinitely_until_a_date_and_resume(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("pause")
    assert "paused until you type *resume*" in mentee.text()
    person = stored(uow_factory, pair.mentee)
    assert (person.paused, person.paused_until) == (True, None)

    mentee.send("pause until 2026-04-01")
    assert "paused until Wed 1 Apr 2026" in mentee.text()
    person = stored(uow_factory, pair.mentee)
    assert (person.paused, person.paused_until) == (True, date(2026, 4, 1))
    mentee.send("settings")
    assert "paused until Wed 1 Apr 2026" in mentee.text()
    mentee.press("Resume reminders")
    assert "Reminders are on again" in mentee.text()
    assert stored(uow_factory, pair.mentee).paused is False
    mentee.send("resume")
    assert "already on" in mentee.text()


def test_a_pause_date_that_has_passed_or_cannot_be_read_is_refused(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("pause until 2026-03-01")
    assert "already passed" in mentee.text()
    mentee.send("pause until 2026-03-02")
    assert "That is today" in mentee.text()
    mentee.send("pause until April")
    assert "couldn't read “April” as a date" in mentee.text()
    mentee.send("pause for a while")
    assert "pause until YYYY-MM-DD" in mentee.text()
    assert stored(uow_factory, pair.mentee).paused is False


def test_quiet_hours_own_off_and_default(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("quiet 21:00-07:30")
    assert "between 21:00 and 07:30 your time" in mentee.text()
    person = stored(uow_factory, pair.mentee)
    assert (person.quiet_start, person.quiet_end) == ("21:00", "07:30")
    mentee.send("quiet off")
    mentee.send("settings")
    assert "none: I may message you at any hour" in mentee.text()
    mentee.send("quiet default")
    assert "20:00–08:00" in mentee.text()
    person = stored(uow_factory, pair.mentee)
    assert (person.quiet_start, person.quiet_end) == (None, None)

    for bad, reply in (
        ("25:00-07:00", "couldn't read"),
        ("after dinner", "couldn't read"),
        ("08:00-08:00", "same time"),
    ):
        mentee.send(f"quiet {bad}")
        assert reply in mentee.text()
    assert stored(uow_factory, pair.mentee).quiet_start is None


def test_time_zone_is_validated_and_a_typo_gets_the_nearest_name(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("timezone europe/berlin")
    assert "Your time zone is now Europe/Berlin (it is 10:00 CET there)" in mentee.text()
    mentee.send("timezone Europe/Berln")
    assert "Did you mean *Europe/Berlin*?" in mentee.text()
    mentee.send("timezone Tokyo")
    assert "Did you mean *Asia/Tokyo*?" in mentee.text()
    mentee.send("timezone Mars/Olympus_Mons")
    assert "not a time zone I know" in mentee.text()
    assert stored(uow_factory, pair.mentee).timezone == "Europe/Berlin"


def test_a_zone_abbreviation_gets_the_usual_place_not_a_lookalike_name(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """``EST`` once suggested Brazil/West and ``PST`` Europe/London (edit distance); an abbreviation now
    gets the place people usually mean, and an ambiguous one says which it chose and the others."""
    mentee = session(pair.mentee.email)
    for typed, place in (
        ("EST", "America/New_York"),
        ("pst", "America/Los_Angeles"),
        ("CET", "Europe/Paris"),
        ("GMT", "Europe/London"),
        ("AEST", "Australia/Sydney"),
    ):
        mentee.send(f"timezone {typed}")
        reply = mentee.text()
        assert f"Did you mean *timezone {place}*?" in reply, (typed, reply)
    mentee.send("timezone IST")
    reply = mentee.text()
    assert "*timezone Asia/Kolkata*" in reply and "Europe/Dublin" in reply and "Asia/Jerusalem" in reply
    assert stored(uow_factory, pair.mentee).timezone != "EST"


def test_opting_out_and_in_of_one_kind_of_reminder(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("optout")
    for kind in NUDGE_KINDS:
        assert f"*{kind}*" in mentee.text()
    mentee.send("optout checkin")
    mentee.send("opt out weekly-digest")
    assert stored(uow_factory, pair.mentee).opt_outs == ["checkin", "weekly_digest"]
    mentee.send("optout checkin")
    assert "already off" in mentee.text()
    mentee.send("optin checkin")
    assert "back on" in mentee.text()
    assert stored(uow_factory, pair.mentee).opt_outs == ["weekly_digest"]

    mentee.send("optout chekin")
    assert "Did you mean *checkin*?" in mentee.text()
    mentee.send("optout announcements")
    assert "can't be turned off here" in mentee.text()
    mentee.send("settings")
    assert "weekly_digest" in mentee.text()
    assert stored(uow_factory, pair.mentee).opt_outs == ["weekly_digest"]


def test_leaving_asks_first_then_tells_the_coordinators_and_the_other_members(
    pair: Rel,
    coordinator: Member,
    session: Session,
    uow_factory: SqlUnitOfWorkFactory,
    notices: Callable[[str], list[Message]],
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("leave")
    assert "Do you really want to leave" in mentee.text()
    mentee.press("No, stay")
    assert "Glad you are staying" in mentee.text()
    assert stored(uow_factory, pair.mentee).active is True

    mentee.send("leave")
    mentee.press("Yes, leave the programme")
    assert "You have left" in mentee.text()
    assert stored(uow_factory, pair.mentee).active is False

    [to_coordinator] = [render_message(m) for m in notices(coordinator.email)]
    assert "Eli Mentee (mentee@example.org) has left the programme" in to_coordinator
    assert f"#{pair.id} Mentoring with Maria Mentor" in to_coordinator
    [to_mentor] = [render_message(m) for m in notices(pair.mentor.email)]
    assert f"Relationship #{pair.id} has not been ended" in to_mentor
    with uow_factory() as uow:
        rel = uow.relationships.get(pair.id)
        assert rel is not None and rel.status == "active" and rel.is_member(pair.mentee.id)
        actions = [e.action for e in uow.audit.events()]
        assert "person.left" in actions and "relationship.member_left" in actions

    # after leaving, the bot no longer acts for them
    mentee.send("settings")
    assert "not part of a mentoring programme" in mentee.text()


def test_typed_leave_needs_the_question_first(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("leave yes")
    assert "Do you really want to leave" in mentee.text()
    assert stored(uow_factory, pair.mentee).active is True
    mentee.send("leave yes")
    assert "You have left" in mentee.text()
    assert stored(uow_factory, pair.mentee).active is False
