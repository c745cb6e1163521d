""" "my relationships" and "what's next": where a person stands, and the most useful next steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import FixedClock
from bot.model import ActionItem
from bot.model import AgendaItem
from bot.model import Kind
from bot.model import Role
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]
Receive = Callable[[ConsoleSession], str]


def agree_rules(pair: Rel, session: Session, receive: Receive) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit()
    receive(mentor)
    mentor.press("Confirm")


def book(pair: Rel, session: Session, receive: Receive, at: str, day: str) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send(f"schedule #{pair.id}")
    mentee.submit({"option1": at})
    receive(mentor)
    mentor.press(day)


def test_my_relationships_shows_each_with_its_kind_members_next_meeting_and_rules(
    pair: Rel,
    make_person: Callable[..., Member],
    make_relationship: Callable[..., Rel],
    session: Session,
    receive: Receive,
) -> None:
    coach = make_person("coach@example.org", "Cai Coach", "Asia/Tokyo", (Role.GUIDE,))
    coaching = make_relationship([coach], [pair.mentee], kind=Kind.COACHING)
    mentee = session(pair.mentee.email)
    mentee.send("my relationships")
    text = mentee.text()
    assert f"Mentoring with Maria Mentor (#{pair.id})" in text
    assert f"Coaching with Cai Coach (#{coaching.id})" in text
    assert "Maria Mentor (mentor)" in text
    assert "Cai Coach (coach)" in text
    assert "One-to-one" in text
    assert "Initiation" in text
    assert "none booked" in text
    assert "not agreed yet" in text

    mentee.send("ground rules propose #" + str(pair.id))
    mentee.submit()
    mentee.send("relationships")
    assert "version 1 proposed, waiting for Maria Mentor" in mentee.text()
    receive(session(pair.mentor.email))
    session(pair.mentor.email).send("ground rules confirm")
    book(pair, session, receive, "2026-03-05 14:30", "Thu 5 Mar")

    mentor = session(pair.mentor.email)
    mentor.send("my relationships")
    text = mentor.text()
    assert "Eli Mentee (mentee)" in text
    assert "You are the  : mentor" in text
    assert "Next meeting : Thu 5 Mar 2026, 09:30 EST" in text
    assert "agreed (version 1)" in text


def test_a_new_mentee_is_told_to_agree_ground_rules_and_book_the_first_meeting(
    pair: Rel, session: Session
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("what's next")
    text = mentee.text()
    assert "Agree your ground rules" in text
    assert "Book your first meeting" in text
    mentee.press("Propose ground rules")
    assert mentee.last_form() is not None


def test_the_mentor_is_asked_to_confirm_and_to_answer_before_anything_else(
    pair: Rel, session: Session
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit()
    mentee.send("schedule")
    mentee.submit({"option1": "2026-03-05 14:30"})
    mentor.send("whats next")
    text = mentor.text()
    assert "Ground rules version 1 is waiting for your confirmation" in text
    assert "You've been offered times for meeting" in text
    mentor.press("Answer")
    assert "Thu 5 Mar 2026, 09:30 EST" in mentor.text()


def test_the_mentee_is_reminded_to_add_agenda_items_before_the_meeting_day(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    agree_rules(pair, session, receive)
    book(pair, session, receive, "2026-03-05 14:30", "Thu 5 Mar")
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("next")
    assert "Add your agenda items before Thursday's meeting (Thu 5 Mar 2026, 14:30 GMT)" in mentee.text()
    mentor.send("next")
    assert "agenda" not in mentor.text()  # the mentee leads the agenda

    with uow_factory() as uow:
        person = uow.people.get(pair.mentee.id)
        assert person is not None
        uow.content(person).add_agenda_item(
            AgendaItem(
                relationship_id=pair.id,
                author_id=pair.mentee.id,
                text="my poster",
                position=1,
                created_at=clock.now(),
            )
        )
        uow.commit()
    mentee.send("next")
    assert "You're all set for now" in mentee.text()


def test_a_past_meeting_asks_to_be_recorded(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock
) -> None:
    agree_rules(pair, session, receive)
    book(pair, session, receive, "2026-03-03 12:00", "Tue 3 Mar")
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    mentor = session(pair.mentor.email)
    mentor.send("whats next")
    assert "was set for Tue 3 Mar 2026, 07:00 EST. Did it take place?" in mentor.text()
    mentor.press("Tell me")
    mentor.press("Yes, we met")
    mentor.submit({"minutes": "55"})
    assert "55 minutes" in mentor.text()


def test_an_overdue_action_is_named(
    pair: Rel, session: Session, receive: Receive, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    agree_rules(pair, session, receive)
    with uow_factory() as uow:
        person = uow.people.get(pair.mentee.id)
        assert person is not None
        uow.content(person).add_action(
            ActionItem(
                relationship_id=pair.id,
                text="Email the clinic lead",
                created_by=pair.mentee.id,
                created_at=clock.now(),
                owner_id=pair.mentee.id,
                due_on=date(2026, 2, 28),
            )
        )
        uow.commit()
    mentee = session(pair.mentee.email)
    mentee.send("whats next")
    assert "“Email the clinic lead” was due on Sat 28 Feb 2026" in mentee.text()
    assert "See my actions" in [b.label for b in mentee.buttons()]
    mentor = session(pair.mentor.email)
    mentor.send("whats next")
    assert "Email the clinic lead" not in mentor.text()  # not the mentor's action


def test_the_person_who_does_not_book_is_told_who_does(pair: Rel, session: Session, receive: Receive) -> None:
    agree_rules(pair, session, receive)
    mentor = session(pair.mentor.email)
    mentor.send("whats next")
    assert "Your ground rules say Eli Mentee books" in mentor.text()


def test_people_without_relationships_are_told_so(
    outsider: Member, coordinator: Member, session: Session
) -> None:
    for email in (outsider.email, coordinator.email):
        s = session(email)
        s.send("my relationships")
        assert "don't have an active relationship" in s.text()
        s.send("whats next")
        assert "don't have an active relationship" in s.text()


def test_an_ended_relationship_is_listed_as_ended_without_actions(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        rel = uow.relationships.get(pair.id)
        assert rel is not None
        rel.status = "ended"
        uow.commit()
    mentee = session(pair.mentee.email)
    mentee.send("my relationships")
    assert "Status       : ended" in mentee.text()
    assert mentee.buttons() == []
    mentee.send("whats next")
    assert "don't have an active relationship" in mentee.text()
