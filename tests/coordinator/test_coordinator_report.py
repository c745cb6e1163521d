"""Programme health: the numbers, and ``mentorbot report`` as a table, CSV files and PNG charts."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from datetime import datetime
from pathlib import Path

import matplotlib.image
import pytest
from coordinator_seed import Seeded
from sqlalchemy import Engine

from bot.activity import CheckInFact
from bot.activity import PersonFacts
from bot.clock import FixedClock
from bot.health import build_report
from bot.health import quadrant_groups
from bot.programme import ProgrammeConfig
from mentorbot import cli
from mentorbot.commands._coordinator import CommandScope
from mentorbot.commands.audit import show_audit
from mentorbot.commands.report import report
from storage.uow import SqlUnitOfWorkFactory

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_health_report_counts_activity(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    with uow_factory() as uow:
        health = build_report(uow.activity, programme, clock.now())
    assert (health.active_pairs, health.paused_pairs) == (4, 1)
    assert health.phases == (("initiation", 2), ("cultivation", 2), ("separation", 1), ("closure", 0))
    assert health.months == ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03")
    assert health.meetings_by_month == (0, 0, 1, 1, 2, 2)
    assert [(p.id, p.days_without_meeting, p.cadence_days) for p in health.stalled] == [
        (seeded.rels["r2"], 91, 14)
    ]
    r1 = next(p for p in health.pairs if p.id == seeded.rels["r1"])
    assert (r1.meetings_held, r1.last_met, r1.stalled) == (3, datetime(2026, 2, 4).date(), False)
    assert (r1.open_actions, r1.overdue_actions, r1.ground_rules_agreed) == (2, 1, True)
    assert r1.meetings_by_month == (0, 0, 1, 1, 1, 0)
    assert (health.ground_rules_agreed, health.open_actions, health.overdue_actions) == (1, 3, 2)
    paused = next(p for p in health.pairs if p.status == "paused")
    assert not paused.stalled  # a paused pair is not chased

    load = {g.name: (g.learners, g.capacity, g.hours_this_month, g.over_capacity) for g in health.guides}
    assert load == {
        "Gus Guide": (4, 3, 2.5, True),  # 90 minutes with Cy and an hour with the group this month
        "Maria Mentor": (2, 3, 0.0, False),
        "Hana Helper": (1, 1, 0.0, False),
        "Vera Volunteer": (0, 3, 0.0, False),
    }
    assert {(q.label, q.people, q.counts) for q in health.quadrants} == {
        ("all", 7, (("growth", 3), ("confirmation", 2), ("retreat", 1), ("stasis", 1))),
        ("2025", 1, None),
        ("2026", 6, None),  # 6 is enough, but showing it would give away the one 2025 answer
    }
    unreachable = {u.name: u.reason for u in health.unreachable}
    assert unreachable["Bo Learner"] == "undeliverable"
    assert unreachable["Cy Student"] == "no_identity"
    assert "Eli Mentee" not in unreachable and "Cora Coordinator" not in unreachable
    assert [(d.kind, d.recipient, d.error) for d in health.dead_letters] == [
        ("agenda_reminder", "Eli Mentee", "channel_not_found")
    ]


def facts(pid: int, cohort: str) -> PersonFacts:
    return PersonFacts(pid, f"P{pid}", ("mentee",), cohort, "", True, False, None, 1)


@pytest.mark.parametrize(
    ("cohorts", "shown"),
    [
        ({"a": 5, "b": 5}, {"all", "a", "b"}),  # everyone's group is big enough
        ({"a": 6, "b": 4}, {"all"}),  # b hidden; a would reveal b by subtraction
        ({"a": 6, "b": 5, "c": 2}, {"all", "a"}),  # c hidden; hiding b (the smaller) leaves 7 hidden
        ({"a": 4}, set()),  # fewer than 5 in all: nothing shown
        ({"a": 5, "": 4}, {"all"}),  # people without a cohort count as hidden too
    ],
)
def test_quadrants_show_only_groups_of_five_that_cannot_be_subtracted(
    cohorts: dict[str, int], shown: set[str]
) -> None:
    people: dict[int, PersonFacts] = {}
    checkins: list[CheckInFact] = []
    for cohort, n in cohorts.items():
        for _ in range(n):
            pid = len(people) + 1
            people[pid] = facts(pid, cohort)
            checkins.append(CheckInFact(pid, "growth", datetime(2026, 3, 1, tzinfo=UTC)))
    groups = quadrant_groups(checkins, people)
    assert {g.label for g in groups if g.counts is not None} == shown
    for g in groups:
        if g.counts is not None:
            assert g.people >= 5 and sum(n for _, n in g.counts) == g.people


def test_report_as_a_terminal_table(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    assert report(CommandScope(uow_factory, programme, clock, out), "table", tmp_path) == 0
    text = out.getvalue()
    for title in (
        "Summary",
        "Relationships by phase",
        "Meetings held per month",
        "Relationships",
        "Guide load",
    ):
        assert f"\n{title}" in f"\n{text}"
    assert "Stalled relationships                 1" in text
    assert "Overdue action items                  2" in text
    assert "2026-03  2" in text
    assert "fewer than 5: hidden" in text


def test_report_as_csv_files(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    assert report(CommandScope(uow_factory, programme, clock, out), "csv", tmp_path / "csv") == 0
    files = {p.name for p in (tmp_path / "csv").iterdir()}
    assert files == {
        "summary.csv",
        "phases.csv",
        "meetings_by_month.csv",
        "pairs.csv",
        "guide_load.csv",
        "quadrants.csv",
        "goals.csv",
        "channels.csv",
        "unreachable.csv",
        "dead_letters.csv",
    }
    assert out.getvalue().count("Wrote ") == 10

    def read(name: str) -> list[dict[str, str]]:
        with (tmp_path / "csv" / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    pairs = read("pairs.csv")
    assert list(pairs[0]) == [
        "relationship",
        "kind",
        "format",
        "phase",
        "status",
        "guides",
        "learners",
        "started_on",
        "cadence_days",
        "meetings_held",
        "met_2025-10",
        "met_2025-11",
        "met_2025-12",
        "met_2026-01",
        "met_2026-02",
        "met_2026-03",
        "last_met",
        "days_without_meeting",
        "stalled",
        "ground_rules_agreed",
        "open_actions",
        "overdue_actions",
        "planned_end",
        "dates",
    ]
    assert len(pairs) == 5
    group = next(p for p in pairs if p["format"] == "group")
    assert group["learners"] == "Di Group; Ed Group; Fay Group" and group["met_2026-03"] == "1"
    assert [r["phase"] for r in read("phases.csv")] == ["initiation", "cultivation", "separation", "closure"]
    assert read("guide_load.csv")[0] == {
        "guide": "Gus Guide",
        "learners": "4",
        "capacity": "3",
        "hours_this_month": "2.5",
        "target_hours": "4.0",
    }
    quadrants = {r["group"]: r for r in read("quadrants.csv")}
    assert quadrants["Everyone"]["growth"] == "3" and quadrants["2025"]["note"] == "fewer than 5: hidden"
    assert quadrants["2025"]["growth"] == ""
    assert list(read("dead_letters.csv")[0]) == ["delivery", "kind", "recipient", "due_at", "error"]


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path.name
    height, width = matplotlib.image.imread(path).shape[:2]
    assert width > 300 and height > 200, path.name


def test_report_as_png_charts(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    assert report(CommandScope(uow_factory, programme, clock, out), "png", tmp_path / "png") == 0
    charts = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert charts == [
        "attention.png",
        "goals.png",
        "guide_load.png",
        "meetings_over_time.png",
        "overview.png",
        "phase_distribution.png",
        "quadrant_distribution.png",
    ]
    for name in charts:
        assert_png(tmp_path / "png" / name)


def test_no_quadrant_chart_for_fewer_than_five(
    uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock, tmp_path: Path
) -> None:
    out = io.StringIO()
    assert (
        report(CommandScope(uow_factory, programme, clock, out), "png", tmp_path) == 0
    )  # an empty programme
    assert "quadrant_distribution.png" not in {p.name for p in tmp_path.iterdir()}
    assert "The check-in quadrant chart was left out: fewer than 5 people have checked in." in out.getvalue()
    assert_png(tmp_path / "overview.png")


def test_audit_cli_lists_who_did_what(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig, clock: FixedClock
) -> None:
    out = io.StringIO()
    assert show_audit(CommandScope(uow_factory, programme, clock, out), 10) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "Audit log, newest first (1 entries)"
    assert "2026-02-28 10:00:00 UTC  Eli Mentee  agenda.add  -       ok" in out.getvalue()


def test_the_commands_run_from_the_command_line(
    seeded: Seeded,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the CLI is pointed at the database by URL; the PostgreSQL test schema has none")
    monkeypatch.setenv("MENTORBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("MENTORBOT_PROGRAM", raising=False)

    assert (
        cli.main(["report", "--format", "csv", "--out", str(tmp_path / "r"), "--now", "2026-03-02T09:00"])
        == 0
    )
    assert (tmp_path / "r" / "pairs.csv").exists()
    assert cli.main(["person", "export", "ida@example.org", "--out", str(tmp_path / "ida.json")]) == 0
    assert cli.main(["audit", "--limit", "5"]) == 0
    assert "person.export" in capsys.readouterr().out
    assert cli.main(["person", "forget", "ghost@example.org", "--yes"]) == 2
    assert "Nobody in Clinical Mentoring Programme has the e-mail address" in capsys.readouterr().err
    code = cli.main(
        ["announce", "--as", "coordinator@example.org", "--title", "Hi", "--body", "Hello", "--preview"]
    )
    assert code == 2
    assert "Please choose who the announcement is for" in capsys.readouterr().err
