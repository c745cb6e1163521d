"""What people and coordinators see of a match's dates: a match imported ahead of its start says when it
starts; a match past its planned end is not counted as active. The roster goes in through the import,
the views are the chat commands (``my relationships``, ``home``, ``report``) and ``mentorbot report``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from bot.roster import import_roster
from handlers.console.channel import ConsoleSession
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.report import report
from storage.uow import SqlUnitOfWorkFactory

# the clock fixture: Monday 2026-03-02 09:00 UTC
PEOPLE = """email,name,roles,timezone
cora@example.org,Cora Coordinator,coordinator,Europe/London
maria@example.org,Maria Mentor,guide,Europe/London
eli@example.org,Eli Mentee,mentee,Europe/London
gus@example.org,Gus Guide,guide,Europe/London
old@example.org,Olga Older,mentee,Europe/London
hana@example.org,Hana Guide,guide,Europe/London
ray@example.org,Ray Running,mentee,Europe/London
"""
MATCHES = """match_id,kind,format,guides,learners,start,end
ahead,mentoring,one-to-one,maria@example.org,eli@example.org,2026-03-10,2026-12-18
over,mentoring,one-to-one,gus@example.org,old@example.org,2025-09-01,2026-02-27
now,mentoring,one-to-one,hana@example.org,ray@example.org,2026-03-02,2026-12-18
"""


@pytest.fixture
def roster(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock, tmp_path: Path
) -> None:
    people, matches = tmp_path / "people.csv", tmp_path / "matches.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    matches.write_text(MATCHES, encoding="utf-8")
    import_roster(uow_factory, programme, clock, people, matches)


@pytest.mark.usefixtures("roster")
def test_a_match_imported_ahead_says_when_it_starts(session: Callable[..., ConsoleSession]) -> None:
    eli = session("eli@example.org")
    eli.send("my relationships")
    assert "not started yet: starts on Tue 10 Mar 2026" in eli.text()
    eli.send("home")
    assert "Starts on Tue 10 Mar 2026" in eli.text()
    ray = session("ray@example.org")  # started today: running, nothing said about dates
    ray.send("my relationships")
    assert "starts on" not in ray.text()


@pytest.mark.usefixtures("roster")
def test_a_match_past_its_planned_end_is_not_reported_active(
    session: Callable[..., ConsoleSession],
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    cora = session("cora@example.org")
    cora.send("report")
    shown = cora.text()
    assert re.search(r"Active relationships\s*: 1\n", shown)
    assert re.search(r"Not started yet\s*: 1\n", shown)
    assert "starts on Tue 10 Mar 2026" in shown
    assert "planned end Fri 27 Feb 2026 has passed" in shown
    cora.send("home")
    assert "1 active pairs" in cora.text()
    assert "1 not started yet, 1 past their planned end" in cora.text()

    out = io.StringIO()
    assert report(CommandScope(uow_factory, programme, clock, out), "csv", tmp_path / "csv") == 0
    with (tmp_path / "csv" / "summary.csv").open(encoding="utf-8", newline="") as f:
        summary = {row["measure"]: row["value"] for row in csv.DictReader(f)}
    assert summary["Active relationships"] == "1"
    assert summary["Not started yet"] == "1"
    assert summary["Past their planned end"] == "1"
    with (tmp_path / "csv" / "guide_load.csv").open(encoding="utf-8", newline="") as f:
        load = {row["guide"]: row["learners"] for row in csv.DictReader(f)}
    # Gus's match is over: he carries no learner; Maria's starts next week and counts
    assert load["Gus Guide"] == "0"
    assert load["Maria Mentor"] == "1"


@pytest.mark.usefixtures("roster")
def test_a_guide_whose_match_is_past_its_end_has_no_load_on_home(
    session: Callable[..., ConsoleSession],
) -> None:
    gus = session("gus@example.org")
    gus.send("home")
    shown = gus.text()
    assert "You guide 0 learner(s)" in shown
    assert "Its planned end (Fri 27 Feb 2026) has passed" in shown
