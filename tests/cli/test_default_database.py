"""The default database is ``mentorbot.sqlite3`` in the working directory (the outside contract), and a
command run where there is none yet says so instead of silently starting an empty programme: a
coordinator who imported in one folder and chats from another is told which file is in use and how to
reach the one they meant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(argv: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "mentorbot", *argv],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_default_database_is_in_the_working_directory_and_a_new_one_is_announced(tmp_path: Path) -> None:
    from bot.roster import example_paths

    people, matches = example_paths()
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    imported = run(["import", "--people", str(people), "--matches", str(matches)], one)
    assert imported.returncode == 0, imported.stderr
    assert (one / "mentorbot.sqlite3").is_file()
    assert "a new, empty database is created here" in imported.stderr

    # the same folder again: the database is there, nothing to say
    again = run(["chat", "--as", "mentee@example.org"], one, stdin="help\nquit\n")
    assert again.returncode == 0, again.stderr
    assert "new, empty database" not in again.stderr
    assert "not enrolled" not in again.stdout

    # another folder: not silent
    elsewhere = run(["chat", "--as", "mentee@example.org"], two, stdin="quit\n")
    assert f"no mentorbot.sqlite3 in {two}" in elsewhere.stderr
    assert "MENTORBOT_DATABASE_URL=sqlite:////" in elsewhere.stderr
