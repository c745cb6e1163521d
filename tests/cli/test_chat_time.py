"""``mentorbot chat --now`` and ``/time``: walk a pair through time in the terminal. A roster is imported
two days before the match starts; the mentee opens the console today and steps on: nothing the next
day, and on the start day the scheduler's pass at the new instant welcomes her, in the same session."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from bot.timefmt import show_date


def run(argv: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    env["MENTORBOT_DATABASE_URL"] = f"sqlite:///{cwd / 'walk.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-m", "mentorbot", *argv],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


PEOPLE = """email,name,roles,cohort,stage,timezone,capacity
guide@example.org,Dr Ada Guide,guide,,faculty,Europe/London,
learner@example.org,Lou Learner,mentee,,clinical,Europe/London,
"""


def test_a_mentee_steps_on_in_the_console_and_is_welcomed_on_her_start_day(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    start = today + timedelta(days=2)
    while start.weekday() >= 5:  # the example programme keeps weekends free of routine messages
        start += timedelta(days=1)
    (tmp_path / "people.csv").write_text(PEOPLE)
    (tmp_path / "matches.csv").write_text(
        "match_id,kind,format,guides,learners,peers,start,end\n"
        f"m-1,mentoring,one-to-one,guide@example.org,learner@example.org,,{start},\n"
    )
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    imported = run(["import", "--people", "people.csv", "--matches", "matches.csv"], tmp_path)
    assert imported.returncode == 0, imported.stderr

    chat = run(
        ["chat", "--as", "learner@example.org", "--now", f"{today}T12:00Z"],
        tmp_path,
        stdin="\n".join(
            [
                "my relationships",
                f"/time {start - timedelta(days=1)}T12:00Z",
                f"/time {start}T12:00Z",
                "/time +90m",
                "/time soon",
                "quit\n",
            ]
        ),
    )
    assert chat.returncode == 0, chat.stderr
    _, day_before, start_day, later = chat.stdout.split("It is now")
    assert "Welcome: " not in day_before and "nothing new for you" in day_before
    assert show_date(start) in start_day.splitlines()[0]
    assert "Welcome: " in start_day  # the pass at the new instant reached her, in the same session
    assert "13:30 UTC" in later.splitlines()[0]  # a step moves the clock on from where it was
    assert "/time: expected an ISO-8601 date and time" in later  # a bad step is answered plainly


def test_a_bad_now_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run(["chat", "--as", "mentee@example.org", "--now", "next tuesday"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("mentorbot chat: --now: expected an ISO-8601")
