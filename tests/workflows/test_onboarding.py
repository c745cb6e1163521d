"""Onboarding of a new match: who the others are, what the kind is and is not, the programme, safety,
and the invitation to agree ground rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.messages import Buttons
from bot.model import Format
from bot.model import Kind
from bot.model import Role
from bot.onboarding import onboarding_message
from bot.programme import ProgrammeConfig
from bot.readers import Reader
from handlers.console.channel import ConsoleSession
from handlers.console.render import render_message
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]
Receive = Callable[[ConsoleSession], str]


def test_a_mentee_learns_who_the_mentor_is_and_what_mentoring_is_and_is_not(
    pair: Rel, session: Session, programme: ProgrammeConfig
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("welcome")
    text = mentee.text()
    assert "Maria Mentor, mentor (mentor@example.org)" in text
    assert "you are the mentee in it" in text
    assert programme.text("kind.mentoring.what_it_is") in text
    assert programme.text("kind.mentoring.what_it_is_not") in text
    # short by default: the programme, the safe-space promise and the phase are one button away
    assert programme.purpose not in text
    assert programme.text("non_evaluative") not in text
    mentee.press("More about this")
    more = mentee.text()
    assert programme.purpose in more
    assert programme.expectations in more
    assert programme.text("confidentiality") in more
    assert programme.text("non_evaluative") in more
    assert programme.text("phase.initiation.what_now") in more
    mentee.send("welcome more")
    assert mentee.text() == more
    mentee.send("welcome")

    mentee.press("Propose ground rules")
    form = mentee.last_form()
    assert form is not None
    assert form.submit_action == "rules.submit"


def test_a_coaching_match_is_told_about_coaching_not_mentoring(
    make_person: Callable[..., Member],
    make_relationship: Callable[..., Rel],
    session: Session,
    programme: ProgrammeConfig,
) -> None:
    coach = make_person("coach@example.org", "Cai Coach", "Europe/Dublin", (Role.GUIDE,))
    learner = make_person("learner@example.org", "Lia Learner", "Europe/Dublin")
    make_relationship([coach], [learner], kind=Kind.COACHING)
    s = session(coach.email)
    s.send("about")
    text = s.text()
    assert "Welcome: Coaching with Lia Learner" in text
    assert "you are the coach in it" in text
    # the coach reads what coaching is in a coach's words
    assert programme.text_for("kind.coaching.what_it_is", Reader("guide", "coaching")) in text
    assert programme.text_for("kind.mentoring.what_it_is", Reader("guide", "mentoring")) not in text


def test_someone_in_several_relationships_names_the_one_they_mean(
    pair: Rel,
    make_person: Callable[..., Member],
    make_relationship: Callable[..., Rel],
    session: Session,
) -> None:
    advisor = make_person("advisor@example.org", "Ada Advisor", "Europe/London", (Role.GUIDE,))
    advising = make_relationship([advisor], [pair.mentee], kind=Kind.ADVISING)
    mentee = session(pair.mentee.email)
    mentee.send("welcome")
    assert f"#{pair.id}, #{advising.id}" in mentee.text()
    mentee.send(f"about #{advising.id}")
    assert "Advising with Ada Advisor" in mentee.text()
    assert "Ada Advisor, advisor (advisor@example.org)" in mentee.text()


def test_once_ground_rules_are_agreed_the_welcome_offers_to_show_them(
    pair: Rel, session: Session, receive: Receive
) -> None:
    mentee, mentor = session(pair.mentee.email), session(pair.mentor.email)
    mentee.send("ground rules propose")
    mentee.submit()
    receive(mentor)
    mentor.press("Confirm")
    mentor.send("welcome")
    labels = [b.label for b in mentor.buttons()]
    assert labels == ["See the ground rules", "More about this"]


def test_the_welcome_the_scheduler_sends_names_every_member_of_a_group(
    group: Rel, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig
) -> None:
    with uow_factory() as uow:
        rel = uow.relationships.get(group.id)
        person = uow.people.get(group.learners[0].id)
        assert rel is not None
        assert person is not None
        message = onboarding_message(programme, rel, person)
    text = render_message(message)
    for name in ("Lena Lead, mentor", "Lin Two, mentee", "Lou Three, mentee"):
        assert name in text
    assert "Lee One," not in text  # not listed as one of the others
    assert programme.text(f"format.{Format.GROUP}.note") in text
    assert message.summary
    buttons = [b for block in message.blocks if isinstance(block, Buttons) for b in block.buttons]
    assert {b.action for b in buttons} == {"rules.propose", "meeting.schedule", "goals.open", "welcome.more"}


def test_outsiders_see_nothing_of_a_match(pair: Rel, outsider: Member, session: Session) -> None:
    s = session(outsider.email)
    s.send(f"about #{pair.id}")
    assert "not one of yours" in s.text()
    assert "Maria" not in s.text()
    s.send("welcome")
    assert "don't have an active relationship" in s.text()
