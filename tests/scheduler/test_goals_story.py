"""Development goals as a pair lives them, through the console and scheduler passes (SQLite and
PostgreSQL): the welcome invites goals, the mentee sets two in the first week, links actions to them
after two meetings, the guide's weekly digest names the goal nobody moved for four weeks (with the
question fitted to its layer), and the closing reflection shows each goal with its progress.
"""

from __future__ import annotations

import io
import json
from datetime import date
from datetime import timedelta

from scheduler_world import World

from bot.app import MentorBot
from bot.messages import unquoted
from bot.model import MeetingStatus
from bot.model import Relationship
from handlers.console.channel import ConsoleSession
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.person import export
from mentorbot.commands.person import forget
from storage import tables

CANONICAL = "PLANTED-goal: explain the renal physiology of diuretics without notes"
CONTEXTUAL = "PLANTED-goal: present a patient case at the Tuesday ward round"


def _plan_after(s: ConsoleSession, rid: int, meeting: int, what: str, due: str, goal: str) -> None:
    s.act("actions.plan", {"r": str(rid), "m": str(meeting)})
    s.submit({"what": what, "due": due, "goal": goal})
    assert f"goal {goal}" in s.text()
    s.press("Finish and share the plan")


def test_goals_from_welcome_to_digest_to_closing_reflection(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-02 07:00"))
    maria = w.person("maria@example.org", "Maria Mentor", "Europe/London", roles=("guide",))
    eli = w.person("eli@example.org", "Eli Mentee", "Europe/London")
    rid = w.relationship([maria], [eli], started_on=date(2026, 3, 2))
    w.run_until(w.at("2026-03-02 12:00"))
    welcome = [r.text for r in w.inbox(eli) if "Your goals" in r.text]
    assert welcome and "Write 1 to 3 development goals in your own words" in welcome[0]
    assert not any("Write 1 to 3 development goals" in r.text for r in w.inbox(maria))  # the learner's

    bot = MentorBot(w.uow_factory, w.programme, w.clock)
    eli_s, maria_s = ConsoleSession(bot, "eli@example.org"), ConsoleSession(bot, "maria@example.org")
    w.move_to(w.at("2026-03-03 10:00"))  # first week: the welcome's button, then a typed command
    eli_s.act("goals.open", {"r": str(rid)})
    eli_s.submit({"text": CONTEXTUAL, "layer": "contextual", "programme_goal": "professionalism"})
    assert "Goal 1 saved" in eli_s.text()
    eli_s.send("goals add")
    eli_s.submit({"text": CANONICAL, "layer": "canonical", "programme_goal": "academic performance"})
    assert "Goal 2 saved" in eli_s.text()

    # two meetings, an action plan after each: one action per goal
    w.move_to(w.at("2026-03-10 15:00"))
    first = w.meeting(rid, w.at("2026-03-10 13:00"), by=eli, status=MeetingStatus.HELD)
    _plan_after(eli_s, rid, first, "Ask Dr Osei for a slot at the round", "2026-03-20", "1")
    w.move_to(w.at("2026-03-17 15:00"))
    second = w.meeting(rid, w.at("2026-03-17 13:00"), by=eli, status=MeetingStatus.HELD)
    _plan_after(eli_s, rid, second, "Read the diuretics chapter and write a summary", "2026-04-30", "2")
    w.move_to(w.at("2026-03-24 10:00"))
    eli_s.send("actions done 1")  # the slot at the round: goal 1 moves
    assert "Done" in eli_s.text() or "done" in eli_s.text()

    w.run_until(w.at("2026-04-06 12:00"))
    digests = [r.text for r in w.inbox(maria) if "Goals without progress" in r.text]
    assert digests, "the guide's digest names the stale goal"
    last = digests[-1]
    assert "Eli Mentee, goal 2: " + CANONICAL in last
    assert "What would show you know this?" in last  # the canonical layer's question
    assert CONTEXTUAL not in last  # goal 1 moved on 24 March
    # four weeks after the goal was set, not before: the digest of 30 March (27 days) does not name it
    assert all("goal 2" not in t for t in digests[:-1])

    maria_s.send("goals")
    assert "1 done, 0 open" in maria_s.text() and "only Eli Mentee can change them" in maria_s.text()

    # closure: the closing reflection looks back at each goal
    with w.uow_factory() as uow:
        rel = uow.session.get(Relationship, rid)  # type: ignore[attr-defined]
        assert rel is not None
        rel.phase = w.programme.phase_names()[-1]
        uow.commit()
    w.move_to(w.clock.now() + timedelta(days=1))
    eli_s.send("reflection")
    form = eli_s.last_form()
    assert form is not None
    intro = unquoted(form.intro)
    assert "Your goals in this relationship" in intro
    assert f"1. {CONTEXTUAL} — contextual · professionalism — open; actions: 1 done, 0 open" in intro
    assert f"2. {CANONICAL} — canonical · academic performance — open; actions: 0 done, 1 open" in intro
    assert "what did you reach" in intro


def test_goals_are_in_the_person_s_export_and_their_words_gone_after_forget(world: World) -> None:
    w = world
    w.start_at(w.at("2026-03-03 10:00"))
    maria = w.person("maria@example.org", "Maria Mentor", "Europe/London", roles=("guide",))
    eli = w.person("eli@example.org", "Eli Mentee", "Europe/London")
    rid = w.relationship([maria], [eli], started_on=date(2026, 3, 2))
    bot = MentorBot(w.uow_factory, w.programme, w.clock)
    eli_s = ConsoleSession(bot, "eli@example.org")
    eli_s.send("goals add")
    eli_s.submit({"text": CANONICAL, "layer": "canonical"})
    eli_s.send("goals note 1 PLANTED-note: the pharmacology tutor helps")
    w.dispatch()  # the notice to Maria, which quotes the goal, goes out

    out = io.StringIO()
    assert export(CommandScope(w.uow_factory, w.programme, w.clock, out), "eli@example.org", None) == 0
    data = json.loads(out.getvalue())
    assert [g["text"] for g in data["goals"]] == [CANONICAL]
    (rel,) = data["relationships"]
    assert [g["number"] for g in rel["content"]["goals"]] == [1]

    assert (
        forget(CommandScope(w.uow_factory, w.programme, w.clock, io.StringIO()), "eli@example.org", True) == 0
    )
    with w.uow_factory() as uow:
        s = uow.session  # type: ignore[attr-defined]
        goals = s.execute(tables.goals.select()).mappings().all()
        deliveries = s.execute(tables.deliveries.select()).all()
    assert [(g["number"], g["layer"], g["relationship_id"]) for g in goals] == [
        (1, "canonical", rid)
    ]  # counts
    assert all(g["text"] == "" and g["note"] == "" for g in goals)
    assert all("PLANTED" not in str(row) for row in deliveries)
