"""Issue 11, items 3-5, with the example programme: the first meeting gets its agenda, a meeting counts as
held only when a member says so (or nobody answers within ``held_grace``), and the pair's own review
interval drives the review reminder, in any phase.

The pair is set up through the unit of work; members then talk to the bot through the console channel
(``MentorBot``), and time moves with the injected clock, each step a real plan pass and dispatch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from datetime import timedelta

import pytest
from scheduler_world import World
from scheduler_world import local

from bot.app import MentorBot
from bot.health import build_report
from bot.model import Role
from bot.programme import PhaseSpec
from bot.programme import ProgrammeConfig
from bot.programme import load_programme
from handlers.console.channel import ConsoleSession

LONDON, NEW_YORK = "Europe/London", "America/New_York"


@pytest.fixture
def programme() -> ProgrammeConfig:
    """The example programme shipped with the package: its initiation lists no ``agenda`` family."""
    example = load_programme()
    assert "agenda" not in example.phase(example.phase_names()[0]).nudges
    return example


class Pair:
    def __init__(self, w: World, *, started_on: date = date(2026, 3, 2)) -> None:
        self.w = w
        w.start_at(w.at(f"{started_on} 06:00"))
        self.maria = w.person("mentor@example.org", "Maria Mentor", NEW_YORK, [Role.GUIDE])
        self.eli = w.person("mentee@example.org", "Eli Mentee", LONDON)
        self.rid = w.relationship([self.maria], [self.eli], started_on=started_on)
        self.bot = MentorBot(w.uow_factory, w.programme, w.clock)

    def chat(self, who: int) -> ConsoleSession:
        email = "mentor@example.org" if who == self.maria else "mentee@example.org"
        return ConsoleSession(self.bot, email)

    def phase(self) -> str:
        with self.w.uow_factory() as uow:
            rel = uow.relationships.get(self.rid)
            assert rel is not None
            return rel.phase

    def history(self) -> list[tuple[str, str]]:
        with self.w.uow_factory() as uow:
            rel = uow.relationships.get(self.rid)
            assert rel is not None
            return [(c.phase, c.reason) for c in sorted(rel.phase_history, key=lambda c: c.at)]

    def sent(self, person: int, kind: str, tz: str) -> list[str]:
        return [local(s.sent_at, tz) for s in self.w.outbox(person) if s.kind == kind and s.status == "sent"]


def _received(w: World, person: int, title_part: str) -> list[str]:
    return [r.text for r in w.inbox(person) if title_part in r.text]


def test_the_first_meeting_gets_its_agenda_at_the_agreed_lead_time_in_initiation(world: World) -> None:
    p = Pair(world)
    world.agree_rules(p.rid, p.eli, [p.maria], agenda_lead_time="72h")  # not the programme's 48h
    world.meeting(p.rid, world.at("2026-03-12 15:00", LONDON), by=p.eli)  # Thursday
    world.run_until(world.at("2026-03-04 10:00"))
    eli = p.chat(p.eli)
    eli.send("agenda add My promotion case and how to present it")
    assert "promotion case" in eli.text()

    world.run_until(world.at("2026-03-12 14:00", LONDON))
    assert p.phase() == "initiation"
    # the request a day before the agenda is due (72h before the meeting), the compiled agenda at 72h
    assert p.sent(p.eli, "agenda_request", LONDON) == ["Sun 2026-03-08 15:00"]
    assert p.sent(p.maria, "agenda_compiled", NEW_YORK) == ["Mon 2026-03-09 11:00"]
    (request,) = _received(world, p.eli, "your agenda for")
    assert "first meeting" in request
    assert "since we last met" not in request.lower()
    assert "What do you hope to get from this mentoring relationship" in request
    (compiled,) = [r.text for r in world.inbox(p.maria) if "promotion case" in r.text]
    assert "My promotion case and how to present it" in compiled


def test_the_second_meeting_asks_what_happened_since_the_first(world: World) -> None:
    p = Pair(world)
    world.agree_rules(p.rid, p.eli, [p.maria])
    first = world.meeting(p.rid, world.at("2026-03-05 15:00", LONDON), by=p.eli)
    world.run_until(world.at("2026-03-05 17:00", LONDON))
    p.chat(p.eli).send(f"met {first} yes 60")
    world.meeting(p.rid, world.at("2026-03-19 15:00", LONDON), by=p.eli)
    world.run_until(world.at("2026-03-19 14:00", LONDON))
    requests = _received(world, p.eli, "your agenda for")
    assert len(requests) == 2
    assert "What has happened since we last met?" not in requests[0]
    assert "What has happened since we last met?" in requests[1]
    assert "first meeting" not in requests[1]


def test_a_confirmed_meeting_counts_as_held_only_when_a_member_says_so(world: World) -> None:
    p = Pair(world)
    world.agree_rules(p.rid, p.eli, [p.maria])
    first = world.meeting(p.rid, world.at("2026-03-10 15:00", LONDON), by=p.eli)
    world.run_until(world.at("2026-03-11 12:00", LONDON))  # the meeting ended yesterday at 16:00
    assert p.phase() == "initiation"  # confirmed and over is not "held"
    assert p.sent(p.eli, "followup", LONDON) == ["Tue 2026-03-10 17:00"]

    p.chat(p.maria).send(f"met {first} yes 55")
    world.tick()
    assert p.phase() == "cultivation"
    assert p.history()[-1] == ("cultivation", "first meeting held and ground rules agreed")


def test_an_unanswered_meeting_counts_as_held_once_the_grace_has_passed(world: World) -> None:
    p = Pair(world)
    world.agree_rules(p.rid, p.eli, [p.maria])
    world.meeting(p.rid, world.at("2026-03-10 15:00", LONDON), by=p.eli)
    world.run_until(world.at("2026-03-13 15:30", LONDON))  # ended 16:00 on the 10th: 71.5 h ago
    assert p.phase() == "initiation"
    world.run_until(world.at("2026-03-13 16:30", LONDON))  # 72 h (the example's held_grace) have passed
    assert p.phase() == "cultivation"


def test_no_after_yes_takes_back_the_phase_move_it_caused(world: World) -> None:
    p = Pair(world)
    world.agree_rules(p.rid, p.eli, [p.maria])
    first = world.meeting(p.rid, world.at("2026-03-10 15:00", LONDON), by=p.eli)
    world.run_until(world.at("2026-03-10 17:30", LONDON))
    p.chat(p.eli).send(f"met {first} yes 60")
    world.tick()
    assert p.phase() == "cultivation"

    world.move_to(world.at("2026-03-11 09:00", LONDON))
    maria = p.chat(p.maria)
    maria.send(f"met {first} no")
    assert "didn't take place" in maria.text()
    assert p.phase() == "initiation"
    assert p.history()[-1] == ("initiation", f"meeting {first} did not take place: back to initiation")
    world.run_until(world.at("2026-03-20 09:00", LONDON))  # long past the grace: "no" is final
    assert p.phase() == "initiation"

    maria.send(f"met {first} no")  # the same answer twice changes nothing
    assert "already recorded as did not take place" in maria.text()


def test_the_review_reminder_uses_the_pairs_own_interval_in_initiation_too(world: World) -> None:
    # a programme whose initiation lasts long enough to still be running two months in
    phases = (PhaseSpec("initiation", timedelta(weeks=16), world.programme.phases[0].nudges),)
    world.programme = replace(world.programme, phases=phases + world.programme.phases[1:])
    p = Pair(world)
    world.move_to(world.at("2026-03-05 10:00", LONDON))  # Thursday
    world.agree_rules(p.rid, p.eli, [p.maria], review="every 2 months")
    world.run_until(world.at("2026-05-06 12:00", LONDON))
    assert p.phase() == "initiation"
    assert p.sent(p.eli, "ground_rules_reminder", LONDON)[-1:] == ["Tue 2026-05-05 09:00"]
    review = [r.text for r in world.inbox(p.eli) if "every 2 months" in r.text]
    assert review, "the reminder quotes their own agreement"
    assert not [t for t in p.sent(p.eli, "ground_rules_reminder", LONDON) if "2026-04" in t]


def test_the_coordinator_report_counts_meetings_held_by_the_same_rule(world: World) -> None:
    p = Pair(world)
    first = world.meeting(p.rid, world.at("2026-03-10 15:00", LONDON), by=p.eli)

    def held() -> tuple[int, date | None]:
        with world.uow_factory() as uow:
            report = build_report(uow.activity, world.programme, world.clock.now())
        (pair,) = [r for r in report.pairs if r.id == p.rid]
        return pair.meetings_held, pair.last_met

    world.run_until(world.at("2026-03-11 12:00", LONDON))
    assert held() == (0, None)  # over, but nobody said it happened
    world.run_until(world.at("2026-03-13 17:00", LONDON))
    assert held() == (1, date(2026, 3, 10))  # nobody answered within the grace: it counts
    p.chat(p.eli).send(f"met {first} no")
    assert held() == (0, None)
