"""A coordinator's programme file names the reminders each phase sends (``phases[].nudges``).  A name the
scheduler does not know is refused when the programme is read, with a "did you mean", as
``mentorbot import`` shows it -- a typo must never silently turn a reminder off."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.roster import example_paths
from mentorbot.cli import main
from storage.uow import SqlUnitOfWorkFactory


@pytest.fixture(autouse=True)
def database(cli_database: None) -> None:
    """Every command here runs against the test database."""


def programme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, initiation: str, cultivation: str) -> None:
    path = tmp_path / "programme.yaml"
    path.write_text(
        "name: Nursing Mentoring\n"
        "phases:\n"
        f"  - {{name: initiation, length: 8w, nudges: [{initiation}]}}\n"
        f"  - {{name: cultivation, length: open, nudges: [{cultivation}]}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MENTORBOT_PROGRAM", str(path))  # after the database fixture cleared it


def import_examples() -> int:
    people, matches = example_paths()
    return main(["import", "--people", str(people), "--matches", str(matches)])


def stored_people(uow_factory: SqlUnitOfWorkFactory) -> int:
    with uow_factory() as uow:
        return len(uow.people.all(include_inactive=True))


def test_a_misspelt_reminder_is_refused_with_what_was_meant(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    programme(tmp_path, monkeypatch, "welcom, first_meeting, ground_rules", "schedule, chekin, homework")
    assert import_examples() == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "mentorbot import: The programme configuration is invalid."
    assert err[1:] == [
        "  programme.yaml: phases[0].nudges[0]: unknown reminder welcom (did you mean welcome?)",
        "  programme.yaml: phases[1].nudges[1]: unknown reminder chekin (did you mean checkin?)",
        "  programme.yaml: phases[1].nudges[2]: unknown reminder homework (known: actions, agenda, checkin, "
        "closing_reflection, first_meeting, goals, ground_rules, ground_rules_review, reflect_growth, "
        "schedule, welcome)",
    ]
    assert stored_people(uow_factory) == 0  # nothing half-written


def test_every_reminder_the_scheduler_knows_is_accepted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    programme(
        tmp_path,
        monkeypatch,
        "welcome, first_meeting, ground_rules, goals",
        "schedule, agenda, actions, checkin, ground_rules_review, reflect_growth, closing_reflection",
    )
    assert import_examples() == 0
    assert capsys.readouterr().out.startswith("people: 14 new")
    assert stored_people(uow_factory) == 14
