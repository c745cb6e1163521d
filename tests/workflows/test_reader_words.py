"""Words for the right reader (issue 12): each finding, as the person it was wrong for meets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.model import Format
from bot.model import Kind
from bot.model import Role
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def test_a_guides_welcome_speaks_to_the_guide(pair: Rel, session: Session) -> None:
    mentor = session(pair.guides[0].email)
    mentor.send("welcome")
    text = mentor.text()
    mentor.send("welcome more")
    text += mentor.text()
    assert "Your mentor does not grade you" not in text
    assert "Your guide is not here to judge you" not in text
    assert "You do not grade your mentee" in text
    # the mentee still reads the promise made to her
    mentee = session(pair.mentee.email)
    mentee.send("welcome more")
    assert "Your guide is not here to judge you" in mentee.text()


def test_a_sponsorship_welcome_does_not_forbid_what_a_sponsor_does(
    make_person: Callable[..., Member], make_relationship: Callable[..., Rel], session: Session
) -> None:
    sponsor = make_person("sponsor@example.org", "Sam Sponsor", "Europe/London", (Role.GUIDE,))
    learner = make_person("learner@example.org", "Lia Learner", "Europe/London")
    make_relationship([sponsor], [learner], kind=Kind.SPONSORSHIP)
    for who in (sponsor, learner):
        s = session(who.email)
        s.send("welcome")
        text = s.text()
        s.send("welcome more")
        text += s.text()
        assert "write references" not in text
        assert "writing a reference" in text


def test_a_learner_whose_guide_assesses_them_is_not_told_otherwise(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        rel = uow.relationships.get(pair.id)
        assert rel is not None
        rel.assessor_conflict = True
        rel.override_reason = "the only cardiologist on the rota; assessment done by a second examiner"
        uow.commit()
    mentee = session(pair.mentee.email)
    mentee.send("welcome")
    text = mentee.text()
    mentee.press("More about this")
    text += mentee.text()
    assert "does not grade you" not in text
    assert "do not assess or grade you" not in text
    assert "also assesses you elsewhere" in text


def test_peers_are_not_told_that_a_guide_sees_their_answers(
    make_person: Callable[..., Member], make_relationship: Callable[..., Rel], session: Session
) -> None:
    ada = make_person("ada@example.org", "Ada Peer", "Europe/London")
    bea = make_person("bea@example.org", "Bea Peer", "Europe/London")
    make_relationship([], [ada, bea], format=Format.PEER)
    s = session(bea.email)
    s.send("welcome more")
    text = s.text()
    assert "your guide" not in text.lower()
    assert "the others see them only if you choose" in text


def test_a_done_item_is_acknowledged_without_a_verdict(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("actions plan")
    mentee.submit({"what": "Read the ward protocol", "owner": "none", "due": ""})
    mentee.press("Finish and share the plan")
    mentee.send("actions done 1")
    text = mentee.text()
    assert "Marked as done: Read the ward protocol" in text
    assert "Well done" not in text


def test_a_mentee_trying_a_coordinator_command_is_not_told_about_the_audit_log(
    pair: Rel, session: Session
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("announce")
    text = mentee.text()
    assert "coordinators" in text
    assert "audit log" not in text


def test_a_group_member_is_told_who_will_see_the_plan_before_sharing_it(group: Rel, session: Session) -> None:
    learner = session(group.learners[0].email)
    learner.send("actions plan")
    text = learner.text()
    assert "everyone in your group will see it: Lena Lead, Lin Two and Lou Three" in text
    form = learner.last_form()
    assert form is not None and "Lin Two" in form.intro and "Lou Three" in form.intro


def test_a_vague_outcome_gets_three_gentle_ideas_and_is_saved_all_the_same(
    pair: Rel, session: Session
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("actions plan")
    mentee.submit({"what": "Be more confident", "owner": "none", "due": ""})
    text = mentee.text()
    assert "Added: Be more confident" in text
    assert "“be more confident” says how you would like things to be" in text
    assert "Nobody owns this yet" in text
    assert "There is no date yet" in text


def test_the_preparation_questions_are_not_repeated_under_every_agenda_view(
    pair: Rel, session: Session
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("agenda")
    assert "These questions can help" in mentee.text()
    mentee.send("agenda add How to ask for feedback on the ward")
    mentee.send("agenda")
    shown = mentee.text()
    assert "How to ask for feedback on the ward" in shown
    assert "These questions can help" not in shown


def test_peers_are_not_offered_the_mentee_as_the_one_who_books(
    make_person: Callable[..., Member], make_relationship: Callable[..., Rel], session: Session
) -> None:
    ada = make_person("ada@example.org", "Ada Peer", "Europe/London")
    bea = make_person("bea@example.org", "Bea Peer", "Europe/London")
    make_relationship([], [ada, bea], format=Format.PEER)
    s = session(ada.email)
    s.send("ground rules propose")
    form = s.last_form()
    assert form is not None
    (who,) = [i for i in form.inputs if i.name == "who_schedules"]
    assert who.value == "either"
    assert "mentee" not in who.hint.lower()
