"""Development goals through the console: the learner writes and updates them, the guide reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.messages import Message
from handlers.console.channel import ConsoleSession

if TYPE_CHECKING:
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
        "",
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
