"""The weekly digest keeps to its Monday: never pushed to Tuesday by the daily cap, and a guide far
ahead of the programme's time zone gets it from their own first Monday."""

from __future__ import annotations

import dataclasses
from datetime import date

from scheduler_world import World
from scheduler_world import local

from bot.model import Role

LONDON, SYDNEY = "Europe/London", "Australia/Sydney"


def sent(w: World, person_id: int, tz: str) -> list[tuple[str, str]]:
    return [(s.kind, local(s.sent_at, tz)) for s in w.outbox(person_id) if s.status == "sent"]


def test_the_daily_cap_never_moves_the_digest_off_its_monday(world: World) -> None:
    w = world
    w.programme = dataclasses.replace(w.programme, daily_nudge_cap=2)
    w.start_at(w.at("2026-03-09 06:00"))  # Monday
    # her quiet hours end at 10:00, so the digest and the day's other nudges fall due together
    gia = w.person(
        "guide@example.org",
        "Gia Guide",
        LONDON,
        [Role.GUIDE, Role.MENTEE],
        quiet_start="21:00",
        quiet_end="10:00",
    )
    learner = w.person("learner@example.org", "Leo Learner", LONDON)
    # Gia guides Leo since February, and is herself a mentee in two matches that start today: two
    # welcomes (more important than the digest) fill her cap on Monday
    w.relationship([gia], [learner], started_on=date(2026, 2, 2), phase="cultivation")
    for i in range(2):
        mentor = w.person(f"m{i}@example.org", f"Mentor {i}", LONDON, [Role.GUIDE])
        w.relationship([mentor], [gia], started_on=date(2026, 3, 9))
    w.run_until(w.at("2026-03-10 23:00"))
    digests = [at for kind, at in sent(w, gia, LONDON) if kind == "weekly_digest"]
    assert digests == ["Mon 2026-03-09 10:00"]
    onboarding = [at for kind, at in sent(w, gia, LONDON) if kind == "onboarding"]
    assert len(onboarding) == 2  # both welcomes still arrive, one of them a day later if need be
    assert {s.status for s in w.outbox(gia)} == {"sent"}


def test_a_sydney_guide_whose_match_starts_on_a_monday_gets_that_mondays_digest(world: World) -> None:
    w = world
    w.programme = dataclasses.replace(w.programme, timezone=LONDON)
    w.start_at(w.at("2026-03-08 12:00", SYDNEY))  # Sunday in Sydney
    guide = w.person("guide@example.org", "Sam Sydney", SYDNEY, [Role.GUIDE])
    learner = w.person("learner@example.org", "Leo Learner", LONDON)
    w.relationship([guide], [learner], started_on=date(2026, 3, 9))  # a Monday
    w.run_until(w.at("2026-03-10 23:00", SYDNEY))
    digests = [at for kind, at in sent(w, guide, SYDNEY) if kind == "weekly_digest"]
    assert len(digests) == 1
    assert digests[0].startswith("Mon 2026-03-09")
