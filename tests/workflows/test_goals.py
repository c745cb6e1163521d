"""Development goals through the console: the learner writes and updates them, the guide reads them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import FixedClock
from bot.messages import Message
from bot.model import Kind
from bot.model import MeetingStatus
from bot.model import RelationshipStatus
from bot.model import Role
from handlers.console.channel import ConsoleSession
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from conftest import Member
    from conftest import Rel

Session = Callable[..., ConsoleSession]


def add_goal(s: ConsoleSession, text: str, **values: str) -> None:
    s.send("goals add")
    s.submit({"text": text, **values})


def test_learner_sets_goals_with_stable_numbers_and_the_guide_only_reads_them(
    pair: Rel, session: Session, notices: Callable[[str], list[Message]]
) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("goals")
    assert "No goals yet" in mentee.text()

    mentee.send("goals add")
    form = mentee.last_form()
    assert form is not None
    assert [o.value for o in form.inputs[2].options] == [
        "none",
        "identity formation",
        "professionalism",
        "academic performance",
    ]
    mentee.submit(
        {
            "text": "Present a patient case at the ward round",
            "layer": "contextual",
            "programme_goal": "professionalism",
            "target": "2026-05-01",
        }
    )
    assert "Goal 1 saved" in mentee.text()
    add_goal(mentee, "Understand why I want to be a surgeon", layer="personal")
    assert "Goal 2 saved" in mentee.text()
    assert any("set a new goal (goal 2)" in str(m) for m in notices(pair.mentor.email))

    mentee.send("goals set aside 1")
    assert "Goal 1" in mentee.text() and "set aside" in mentee.text()
    add_goal(mentee, "Pass the anatomy exam", layer="canonical", programme_goal="academic performance")
    assert "Goal 3 saved" in mentee.text()  # numbers never shift or get reused
    mentee.send("goals done 3")
    mentee.send("goals note 2 talked it over with my family")
    mentee.send("goals")
    shown = mentee.text()
    assert "2. Understand why I want to be a surgeon — personal — open; no actions yet" in shown
    assert "note: talked it over with my family" in shown
    assert "3. Pass the anatomy exam — canonical · academic performance — reached" in shown
    # set-aside goals come last
    assert shown.index("3. Pass the anatomy") < shown.index("1. Present a patient case")

    mentor = session(pair.mentor.email)
    mentor.send("goals")
    assert "Understand why I want to be a surgeon" in mentor.text()
    assert "only Eli Mentee can change them" in mentor.text()
    mentor.send("goals done 2")
    assert "Goals belong to the learner" in mentor.text()
    mentor.send("goals add")
    assert "Goals belong to the learner" in mentor.text()


def test_bad_input_gets_a_specific_message(pair: Rel, session: Session) -> None:
    mentee = session(pair.mentee.email)
    mentee.send("goals add")
    mentee.submit({"text": "Learn to suture", "programme_goal": "profesionalism"})
    assert "did you mean professionalism?" in mentee.text()
    mentee.submit({"text": "Learn to suture", "programme_goal": "", "target": "2020-01-01"})
    assert "Goal 1 saved" not in mentee.text()
    mentee.submit({"text": "Learn to suture", "target": ""})
    assert "Goal 1 saved" in mentee.text()
    mentee.send("goals done 7")
    assert "There is no goal 7 here (goals: 1)" in mentee.text()
    mentee.send("goals done x")
    assert "“x” is not a goal number" in mentee.text()


def test_an_outsider_cannot_read_goals(pair: Rel, session: Session, outsider: object) -> None:
    mentee = session(pair.mentee.email)
    add_goal(mentee, "A very private goal about my confidence")
    other = session("outsider@example.org")
    other.send(f"goals #{pair.id}")
    assert "private goal" not in other.text()


def test_actions_after_a_meeting_serve_goals_and_show_their_progress(
    pair: Rel,
    session: Session,
    clock: FixedClock,
    add_meeting: Callable[..., int],
) -> None:
    mentee = session(pair.mentee.email)
    add_goal(mentee, "Present a patient case at the ward round", layer="contextual")
    add_goal(mentee, "Pass the anatomy exam", layer="canonical")
    meeting = add_meeting(pair, clock.now() - timedelta(days=1), status=MeetingStatus.HELD)
    mentee.act("actions.plan", {"r": str(pair.id), "m": str(meeting)})
    form = mentee.last_form()
    assert form is not None
    goal_input = form.inputs[-1]
    assert goal_input.name == "goal"
    assert [o.label for o in goal_input.options][1:] == [
        "1. Present a patient case at the ward round",
        "2. Pass the anatomy exam",
    ]
    mentee.submit({"what": "Ask Dr Osei for a slot at Tuesday's round", "owner": str(pair.mentee.id),
                   "due": "2026-03-05", "goal": "1"})  # fmt: skip
    assert "goal 1" in mentee.text()
    mentee.submit({"what": "Draft the case slides", "due": "2026-03-04", "goal": "1"})
    mentee.submit({"what": "Book the library room", "due": "", "goal": "9"})
    assert "There is no goal 9 here (goals: 1, 2)" in mentee.text()
    mentee.submit({"what": "Book the library room", "due": "", "goal": "none"})  # serving no goal is fine
    mentee.press("Finish and share the plan")

    clock.advance(timedelta(days=4))  # Friday: both are past due
    mentee.send("actions done 1")  # the slides, due first
    mentee.send("goals")
    shown = mentee.text()
    assert (
        "1. Present a patient case at the ward round — contextual — open; actions: 1 done, 1 open (1 overdue)"
        in shown
    )
    assert "2. Pass the anatomy exam — canonical — open; no actions yet" in shown


def test_after_the_end_the_learner_may_still_mark_what_was_reached_while_reflecting(
    pair: Rel, session: Session, clock: FixedClock, uow_factory: SqlUnitOfWorkFactory
) -> None:
    mentee = session(pair.mentee.email)
    add_goal(mentee, "Present a patient case at the ward round")
    with uow_factory() as uow:
        rel = uow.relationships.get(pair.id)
        assert rel is not None
        rel.status, rel.ended_at = RelationshipStatus.ENDED, clock.now()
        uow.commit()
    clock.advance(timedelta(days=3))
    mentee.send("goals done 1")
    assert "goal 1" in mentee.text() and "is reached" in mentee.text()
    mentee.send("goals add")  # nothing new after the end
    assert "has ended" in mentee.text()
    clock.advance(timedelta(days=40))  # the reflection window has closed
    mentee.send("goals progress 1")
    assert "has ended" in mentee.text()


def test_the_agenda_offers_progress_on_my_goals_and_a_coaching_agenda_reviews_every_goal(
    make_person: Callable[..., Member], make_relationship: Callable[..., Rel], session: Session
) -> None:
    coach = make_person("coach@example.org", "Cam Coach", "Europe/London", (Role.GUIDE,))
    learner = make_person("learner@example.org", "Lia Learner", "Europe/London", (Role.MENTEE,))
    make_relationship([coach], [learner], kind=Kind.COACHING)
    lia, cam = session(learner.email), session(coach.email)

    # before any goal, the coach's agenda says a goal review needs a goal
    cam.send("agenda")
    assert "Goal review" in cam.text() and "no goals written yet" in cam.text()

    add_goal(lia, "Lead a handover without notes", layer="contextual")
    lia.send("agenda add")
    form = lia.last_form()
    assert form is not None
    prompt = next(i for i in form.inputs if i.name == "prompt")
    assert ("goals", "Progress on my goals") in [(o.value, o.label) for o in prompt.options]
    lia.submit({"prompt": "goals", "text": "Two handovers done, the third went wrong"})
    assert "Two handovers done" in lia.text()

    cam.send("agenda")
    shown = cam.text()
    assert "Progress on my goals" in shown and "Two handovers done, the third went wrong" in shown
    assert "Goal review" in shown and "1. Lead a handover without notes — open" in shown


def test_a_mentoring_agenda_has_no_goal_review(pair: Rel, session: Session) -> None:
    mentee = session(pair.mentee.email)
    add_goal(mentee, "Find my place in surgery", layer="personal")
    mentor = session(pair.mentor.email)
    mentor.send("agenda")
    assert "Goal review" not in mentor.text()
