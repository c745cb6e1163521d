"""The check-in pulse: private by default, the mentee's quadrant, the guide's prompt, sharing by choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.app import MentorBot
from bot.messages import Message
from bot.model import CheckIn
from handlers.console.channel import ConsoleSession
from handlers.console.render import render_message
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def stored_checkins(uow_factory: SqlUnitOfWorkFactory, rel: Rel) -> list[CheckIn]:
    with uow_factory() as uow:
        found = uow.system_content("test").as_member(rel.learner.id).checkins(rel.id)
        uow.session.expunge_all()
        return found


def texts(messages: list[Message]) -> list[str]:
    return [render_message(m) for m in messages]


def test_a_private_check_in_shows_the_quadrant_and_tells_the_guide_only_that_it_happened(
    pair: Rel,
    session: Session,
    uow_factory: SqlUnitOfWorkFactory,
    notices: Callable[[str], list[Message]],
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("checkin")
    form = mentee.last_form()
    assert form is not None and [i.name for i in form.inputs] == ["support", "challenge", "safety", "share"]
    mentee.submit({"support": "2", "challenge": "5", "safety": "4"})
    result = mentee.text()
    assert "Your check-in: stretched without enough backing" in result
    assert "what kind of support would help most" in result  # the retreat suggestion
    assert "doesn't feel very safe" not in result
    assert "Share my answers with Maria Mentor" in result

    [notice] = texts(notices(pair.mentor.email))
    assert "Eli Mentee has just done a check-in" in notice
    # nothing of the answers: neither the scores nor the quadrant
    for secret in ("2 / 5", "5 / 5", "4 / 5", "stretched without", "retreat", "pull back"):
        assert secret not in notice
    [stored] = stored_checkins(uow_factory, pair)
    assert (stored.support, stored.challenge, stored.safety, stored.quadrant, stored.shared) == (
        2,
        5,
        4,
        "retreat",
        False,
    )


def test_sharing_after_seeing_the_result_sends_the_answers_and_a_fitting_prompt(
    pair: Rel,
    session: Session,
    uow_factory: SqlUnitOfWorkFactory,
    notices: Callable[[str], list[Message]],
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("checkin")
    mentee.submit({"support": "5", "challenge": "2", "safety": "5"})
    assert "well supported, not much stretch" in mentee.text()
    button = mentee.find_button("Share my answers")
    mentee.press("Share my answers")
    assert "Shared with Maria Mentor" in mentee.text()
    shared = texts(notices(pair.mentor.email))[-1]
    assert "Eli Mentee shared their check-in: well supported, not much stretch" in shared
    assert "raising the bar a little" in shared  # the guide prompt for confirmation
    assert "Support   : 5 / 5" in shared and "Challenge : 2 / 5" in shared
    # pressing the button again changes nothing and sends nothing
    mentee.act(button.action, button.values)
    assert "already shared" in mentee.text()
    assert len(notices(pair.mentor.email)) == 2

    mentor = session(pair.mentor.email)
    mentor.send("checkin")
    assert (
        "Eli Mentee, Mon 2 Mar 2026: well supported, not much stretch (support 5, challenge 2, safety 5)"
        in (mentor.text())
    )


def test_sharing_in_the_form_and_a_low_safety_note(
    pair: Rel, session: Session, notices: Callable[[str], list[Message]]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("check-in")
    mentee.submit({"support": "4", "challenge": "4", "safety": "1", "share": "yes"})
    result = mentee.text()
    assert "Your check-in: supported and stretched" in result
    assert "doesn't feel very safe to speak openly" in result and "your programme coordinator" in result
    assert mentee.buttons() == []
    [notice] = texts(notices(pair.mentor.email))
    assert "shared their check-in: supported and stretched" in notice
    assert "doesn't feel very safe" in notice


def test_a_guide_sees_nothing_unshared(pair: Rel, session: Session) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("checkin")
    mentee.submit({"support": "1", "challenge": "1", "safety": "2"})
    mentor = session(pair.mentor.email)
    mentor.send("checkin")
    assert "Nobody has shared a check-in with you yet" in mentor.text()
    assert mentor.last_form() is None


def test_bad_answers_and_a_stale_form_store_nothing_twice(
    pair: Rel, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("checkin")
    form = mentee.last_form()
    assert form is not None
    base = {**form.hidden, "support": "3", "challenge": "3", "safety": "3", "share": "no"}
    mentee.act(form.submit_action, base | {"support": "7"})
    assert "The support should be a whole number from 1 to 5" in mentee.text()
    again = mentee.last_form()
    assert again is not None and [i.name for i in again.inputs if i.error] == ["support"]
    mentee.act(form.submit_action, base | {"share": "perhaps"})
    assert "yes or no" in mentee.text()
    assert stored_checkins(uow_factory, pair) == []
    mentee.act(form.submit_action, base)
    assert "steady, but not moving much" in mentee.text()
    mentee.act(form.submit_action, base)
    assert "no longer applies" in mentee.text()
    assert len(stored_checkins(uow_factory, pair)) == 1


def test_typed_share_and_a_restart_between_form_and_answer(
    pair: Rel, session: Session, restart: Callable[[], MentorBot], notices: Callable[[str], list[Message]]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("checkin share")
    assert "no check-in of yours to share yet" in mentee.text()
    mentee.send("checkin")
    later = session(pair.mentee.email, restart())
    later.last = mentee.last
    later.submit({"support": "3", "challenge": "4", "safety": "3"})
    assert "stretched without enough backing" in later.text()
    later.send("checkin share")
    assert "Shared with Maria Mentor" in later.text()
    later.send("checkin share")
    assert "already shared" in later.text()
    assert len(notices(pair.mentor.email)) == 2


def test_someone_else_cannot_share_or_read_a_check_in(
    pair: Rel, group: Rel, outsider: Member, session: Session, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("checkin")
    mentee.submit({"support": "2", "challenge": "2", "safety": "2"})
    button = mentee.find_button("Share my answers")
    for email in (outsider.email, group.learner.email, pair.mentor.email):
        other = session(email)
        other.act(button.action, button.values)
        assert "Share" not in other.text()
        assert "2 / 5" not in other.text()
    assert stored_checkins(uow_factory, pair)[0].shared is False


def test_in_a_group_the_guide_hears_and_other_learners_do_not(
    group: Rel, session: Session, notices: Callable[[str], list[Message]]
) -> None:
    learner = session(group.learners[1].email)
    learner.send("checkin")
    learner.submit({"support": "4", "challenge": "5", "safety": "4", "share": "yes"})
    assert len(notices(group.guide.email)) == 1
    assert notices(group.learners[0].email) == []
