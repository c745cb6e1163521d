"""``serve`` seeds the example programme moved to the day it is loaded: on any day the demo is a living
cohort (started weeks ago, nobody stalled, nobody past their planned end), not one frozen in early 2026."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.app import MentorBot
from bot.clock import FixedClock
from bot.content.examples import FIRST_START_WEEKS_AGO
from bot.health import build_report
from bot.programme import load_programme
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime
from mentorbot.wiring import seed_example_if_empty
from storage.uow import SqlUnitOfWorkFactory


@pytest.mark.parametrize(
    "today", [datetime(2026, 12, 3, 9, tzinfo=UTC), datetime(2029, 7, 18, 15, tzinfo=UTC)]
)
def test_the_seeded_example_is_a_living_programme_on_any_day(engine: Engine, today: datetime) -> None:
    programme = load_programme()
    clock = FixedClock(today)
    factory = SqlUnitOfWorkFactory(engine)
    runtime = Runtime(
        Settings(database_url="sqlite:///embedded.sqlite3"),
        engine,
        factory,
        programme,
        clock,
        MentorBot(factory, programme, clock),
    )
    seed_example_if_empty(runtime)

    with factory() as uow:
        report = build_report(uow.activity, programme, clock.now())
    assert len(report.pairs) == 7
    starts = sorted(p.started_on for p in report.pairs)
    monday = today.date() - timedelta(days=today.date().weekday())
    assert starts[0] == monday - timedelta(weeks=FIRST_START_WEEKS_AGO)
    assert starts[-1] <= today.date() and starts[-1] >= monday  # the last pair starts this week
    assert report.stalled == ()  # not "no meeting for 325 days"
    assert all(p.planned_end is None or p.planned_end > today.date() for p in report.pairs)
    assert all(p.started_on.weekday() == date(2026, 1, 12).weekday() for p in report.pairs)
