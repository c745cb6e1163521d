"""``mentorbot import`` as a coordinator runs it: what is printed, the exit code, what is stored.

The command runs in-process against the test database (SQLite and PostgreSQL) through
``MENTORBOT_DATABASE_URL``, exactly as it would from a shell.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.roster import example_paths
from mentorbot.cli import main
from storage.uow import SqlUnitOfWorkFactory


@pytest.fixture(autouse=True)
def database(cli_database: None) -> None:
    """Every command here runs against the test database."""


def stored_counts(uow_factory: SqlUnitOfWorkFactory) -> tuple[int, int]:
    with uow_factory() as uow:
        return len(uow.people.all(include_inactive=True)), len(uow.relationships.all(include_ended=True))


def test_importing_the_examples_prints_a_summary_and_exits_0(
    uow_factory: SqlUnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    people, matches = example_paths()
    assert main(["import", "--people", str(people), "--matches", str(matches)]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "people: 14 new, 0 updated, 0 unchanged; matches: 7 new, 0 updated, 0 unchanged"
    )
    assert stored_counts(uow_factory) == (14, 7)

    assert main(["import", "--people", str(people), "--matches", str(matches)]) == 0
    again = capsys.readouterr().out
    assert again.splitlines() == [
        "people: 0 new, 0 updated, 14 unchanged; matches: 0 new, 0 updated, 7 unchanged"
    ]
    assert stored_counts(uow_factory) == (14, 7)


def test_a_dry_run_says_nothing_was_written(
    uow_factory: SqlUnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    people, matches = example_paths()
    assert main(["import", "--people", str(people), "--matches", str(matches), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("people: 14 new")
    assert out[-1] == "dry run: nothing written"
    assert stored_counts(uow_factory) == (0, 0)


def test_bad_rows_are_listed_on_stderr_with_exit_2_and_nothing_is_written(
    uow_factory: SqlUnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "email,name,roles,timezone\n"
        "ann@example.org,Ann,mentee,Europe/London\n"
        "bob@example.org,Bob,mentee,Europe/Lndon\n"
        "ann@example.org,Ann again,mentee,\n",
        encoding="utf-8",
    )
    assert main(["import", "--people", str(people)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "Import rejected; nothing was written. 2 problems:",
        '  people.csv:3: unknown time zone "Europe/Lndon" (did you mean "Europe/London"?); '
        "write a place name from the IANA time zone list, such as Europe/London, America/New_York "
        "or Australia/Sydney",
        "  people.csv:4: ann@example.org is listed twice (also on line 2)",
    ]
    assert stored_counts(uow_factory) == (0, 0)


def test_a_missing_file_is_named_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "matches.csv"
    assert main(["import", "--matches", str(missing)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "Import rejected; nothing was written. 1 problem:",
        f"  matches.csv: file not found: {missing}",
    ]


def test_import_without_files_explains_itself_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import"])
    assert caught.value.code == 2
    assert "give --people FILE, --matches FILE or both" in capsys.readouterr().err
