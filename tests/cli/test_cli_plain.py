"""The command line as a newcomer meets it: every help page says what the command does in plain text,
``import`` takes either file alone, ``slack manifest`` works with no flags."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mentorbot.cli import main

COMMANDS = [
    ["serve"],
    ["chat"],
    ["audit"],
    ["db"],
    ["db", "upgrade"],
    ["db", "current"],
    ["announce"],
    ["report"],
    ["person"],
    ["relationship"],
    ["import"],
    ["tick"],
    ["slack"],
    ["slack", "manifest"],
    ["teams"],
]


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_help_describes_it_in_plain_text(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = help_of(argv, capsys)
    _usage, _, rest = out.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert not description.lstrip().startswith(("positional arguments", "options")), out
    assert len(description.split()) >= 3, out
    for markup in ("``", ":mod:`", ":func:`", ":class:`", ":data:`"):
        assert markup not in out, (markup, out)


@pytest.fixture
def database(cli_database: None) -> None:
    """The command runs against the test database."""


PEOPLE = "email,name,roles,cohort,stage,timezone,capacity\ncoord@example.org,Cora Ord,coordinator,,,,\n"
MATCHES_HEADER = (
    "match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,override_reason\n"
)


@pytest.mark.usefixtures("database")
def test_one_coordinator_is_added_with_people_alone_or_with_an_empty_matches_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    matches = tmp_path / "matches.csv"
    matches.write_text(MATCHES_HEADER, encoding="utf-8")

    assert main(["import", "--people", str(people), "--matches", str(matches)]) == 0
    out, err = capsys.readouterr()
    assert "people: 1 new" in out, (out, err)
    assert "header but no rows" not in err

    assert main(["import", "--people", str(people)]) == 0
    assert "people: 0 new, 0 updated, 1 unchanged" in capsys.readouterr().out

    assert main(["import", "--matches", str(matches)]) == 0
    assert "matches: 0 new" in capsys.readouterr().out


def test_slack_manifest_without_flags_prints_a_socket_mode_manifest(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORBOT_PROGRAM", raising=False)
    assert main(["slack", "manifest"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert manifest["settings"]["socket_mode_enabled"] is True
