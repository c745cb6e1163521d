"""The default database is one per user, wherever a command is run: a coordinator who imports from one
folder and chats from another sees the same programme (it used to be a new, empty file in each folder)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(argv: list[str], cwd: Path, data_home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    env["XDG_DATA_HOME"] = str(data_home)
    return subprocess.run(
        [sys.executable, "-m", "mentorbot", *argv],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_commands_from_two_folders_share_the_per_user_database(tmp_path: Path) -> None:
    from bot.roster import example_paths

    people, matches = example_paths()
    data_home = tmp_path / "data"
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    imported = run(["import", "--people", str(people), "--matches", str(matches)], one, data_home)
    assert imported.returncode == 0, imported.stderr
    assert (data_home / "mentorbot" / "mentorbot.sqlite3").is_file()
    assert not (one / "mentorbot.sqlite3").exists()

    chat = run(["chat", "--as", "mentee@example.org"], two, data_home, stdin="help\nquit\n")
    assert chat.returncode == 0, chat.stderr
    assert "not part of a mentoring programme" not in chat.stdout
    assert not (two / "mentorbot.sqlite3").exists()


def test_an_old_database_in_the_working_directory_is_named_in_a_warning(tmp_path: Path) -> None:
    (tmp_path / "mentorbot.sqlite3").write_bytes(b"")
    current = run(["db", "current"], tmp_path, tmp_path / "data")
    assert current.returncode == 0, current.stderr
    assert "mentorbot.sqlite3 in this folder is NOT used" in current.stderr
    assert "MENTORBOT_DATABASE_URL=sqlite:///" in current.stderr
