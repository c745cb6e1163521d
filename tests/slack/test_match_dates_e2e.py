"""End to end, as a coordinator runs it: ``mentorbot import`` a week before the cohort starts, then
``mentorbot tick --now`` from cron moving the calendar; what arrives in (fake) Slack.

The import runs on the wall clock (as it does from a shell), so the match starts a week after today;
each tick is the real command, in-process, against the same database and the loopback fake Slack.
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from fake_slack import FakeSlack
from slack_harness import message_text
from slack_harness import slack_env

from mentorbot.cli import main
from storage.uow import SqlUnitOfWorkFactory

WELCOME = "You have a new mentoring relationship"


@pytest.fixture
def cli_env(cli_database: None, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in slack_env(fake_slack).items():
        monkeypatch.setenv(key, value)


def welcomes(fake: FakeSlack) -> list[str]:
    """The channel of every welcome Slack was asked to post."""
    return [p["channel"] for p in fake.posts() if WELCOME in message_text(p.get("blocks") or []) + p["text"]]


@pytest.mark.usefixtures("cli_env")
async def test_a_roster_imported_a_week_ahead_is_welcomed_in_slack_on_its_start_day_and_not_before(
    fake_slack: FakeSlack, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    today = datetime.now(UTC).date()
    start = today + timedelta(days=7)
    people, matches = tmp_path / "people.csv", tmp_path / "matches.csv"
    people.write_text(
        "email,name,roles,timezone\n"
        "mentor@example.org,Maria Mentor,guide,Europe/London\n"
        "mentee@example.org,Eli Mentee,mentee,Europe/London\n",
        encoding="utf-8",
    )
    matches.write_text(
        "match_id,kind,format,guides,learners,start\n"
        f"m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,{start.isoformat()}\n",
        encoding="utf-8",
    )
    assert await asyncio.to_thread(main, ["import", "--people", str(people), "--matches", str(matches)]) == 0
    # nobody has written to the bot: each tick finds the people it has messages for in Slack by e-mail

    async def tick(day: int, hour: str) -> None:
        at = f"{(today + timedelta(days=day)).isoformat()}T{hour}:00+00:00"
        assert await asyncio.to_thread(main, ["tick", "--now", at]) == 0

    for day in range(7):  # the week before the start, at 09:05 and 17:00: nothing for anyone
        await tick(day, "09:05")
        await tick(day, "17:00")
    assert fake_slack.posts() == []

    await tick(7, "09:05")  # the start day, just after 09:00 in London (UTC in winter, BST in summer)
    await tick(7, "10:05")
    assert sorted(welcomes(fake_slack)) in (["DU0MENTEE", "DU0MENTOR"], ["U0MENTEE", "U0MENTOR"])

    # later passes and a re-import on another day welcome nobody again
    assert await asyncio.to_thread(main, ["import", "--people", str(people), "--matches", str(matches)]) == 0
    await tick(8, "10:05")
    await tick(9, "10:05")
    assert len(welcomes(fake_slack)) == 2
