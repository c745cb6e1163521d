"""A database that cannot be used is one clear line and exit 2 from ``db upgrade`` and ``import``, never a
traceback (issue 13, item 8): a server that refuses connections, a SQLite path whose folder is missing,
a path that is a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.roster import example_paths
from mentorbot.cli import main

UNREACHABLE_PG = "postgresql+psycopg://mentorbot:hunter2@127.0.0.1:1/mentorbot"  # nothing listens on port 1


def _urls(tmp_path: Path) -> dict[str, str]:
    return {
        "postgres-down": UNREACHABLE_PG,
        "sqlite-missing-folder": f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'mentorbot.sqlite3'}",
        "sqlite-path-is-a-folder": f"sqlite:///{tmp_path}",
    }


@pytest.mark.parametrize("case", ["postgres-down", "sqlite-missing-folder", "sqlite-path-is-a-folder"])
@pytest.mark.parametrize("command", ["db upgrade", "import"])
def test_an_unusable_database_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
    command: str,
) -> None:
    monkeypatch.setenv("MENTORBOT_DATABASE_URL", _urls(tmp_path)[case])
    monkeypatch.delenv("MENTORBOT_PROGRAM", raising=False)
    people, _ = example_paths()
    argv = command.split() + (["--people", str(people)] if command == "import" else [])

    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"mentorbot {command}: cannot use the database at ")
    assert "MENTORBOT_DATABASE_URL" in err
    assert "Traceback" not in err and "hunter2" not in err
