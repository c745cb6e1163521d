"""Done when: with ``MENTORBOT_SMTP_URL`` set, a roster imported a week ahead where two people are on
Slack, two on Teams and two on neither. ``serve`` runs (the Teams people install the app during the week);
``mentorbot tick --now`` runs from cron. Everyone receives the welcome on the start day, on their own
channel, once. Then the visiting guide -- on e-mail -- accepts the meeting time her Teams mentee
suggested, and reads the compiled agenda, from her e-mail alone.

Slack is the fake Web API and Teams the fake Bot Connector, both at HTTP level on loopback; e-mail
is a real SMTP server on loopback; the link pages are served by the serve app over HTTP.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from conftest import email_env
from conftest import free_port
from conftest import make_runtime
from fake_connector import FakeConnector
from fake_slack import FakeSlack
from pages import open_link
from pages import post_link
from pages import visible_text
from roster_files import write_roster
from slack_harness import message_text
from slack_harness import slack_env
from smtp_box import Mailbox
from sqlalchemy import Engine
from sqlalchemy import text
from teams_harness import TeamsHarness
from teams_harness import TeamsUser

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from mentorbot.channels import mount_slack
from mentorbot.channels import mount_teams
from mentorbot.cli import main
from mentorbot.email_channel import mount_email
from mentorbot.server import build_app
from storage.uow import SqlUnitOfWorkFactory

WELCOME = "You have a new mentoring relationship"
ON_SLACK = {"slack.guide@hospital.example": "U0SGUIDE", "slack.mentee@hospital.example": "U0SMENTEE"}
TEAMS_GUIDE = TeamsUser("29:tguide", "aad-tguide", "Tom Guide", "teams.guide@hospital.example")
TEAMS_MENTEE = TeamsUser("29:tmentee", "aad-tmentee", "Tia Mentee", "teams.mentee@hospital.example")
STUDENT = "student@university.example"  # account not provisioned yet
VISITOR = "visitor@partner.example"  # a visiting clinician from a partner hospital
PEOPLE = [
    ("slack.guide@hospital.example", "Sam Guide", "guide"),
    ("slack.mentee@hospital.example", "Sol Mentee", "mentee"),
    (TEAMS_GUIDE.email, TEAMS_GUIDE.name, "guide"),
    (TEAMS_MENTEE.email, TEAMS_MENTEE.name, "mentee"),
    (STUDENT, "Stu Student", "mentee"),
    (VISITOR, "Vera Visitor", "guide"),
]
PAIRS = [
    ("slack.guide@hospital.example", "slack.mentee@hospital.example"),
    (TEAMS_GUIDE.email, STUDENT),  # Teams guide, e-mail mentee
    (VISITOR, TEAMS_MENTEE.email),  # e-mail guide, Teams mentee
]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    for email, user in ON_SLACK.items():
        fake.add_user(user, email, "Europe/London")
    yield fake
    await fake.close()


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    for user in (TEAMS_GUIDE, TEAMS_MENTEE):
        fake.members[user.user_id] = user.member()
    yield fake
    await fake.stop()


def database_url(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("select current_schema()")).scalar_one()
        url += "?options=" + quote(f"-csearch_path={schema}", safe="")
    return url


async def test_everyone_is_welcomed_on_their_channel_once_and_a_guide_on_email_meets_from_her_inbox(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    fake_slack: FakeSlack,
    fake_connector: FakeConnector,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    today = datetime.now(UTC).date()
    start = today + timedelta(days=7)

    def at(day: int, hhmm: str) -> datetime:
        return datetime.fromisoformat(f"{(today + timedelta(days=day)).isoformat()}T{hhmm}:00+00:00")

    # serve is running: Slack, Teams (local mode, the fake connector) and e-mail, its links at itself
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = {
        **slack_env(fake_slack),
        **email_env(mailbox, public),
        "MENTORBOT_TEAMS_LOCAL": "1",
        "MENTORBOT_DATABASE_URL": database_url(engine),
    }
    serve_clock = FixedClock(at(0, "08:00"))
    runtime = make_runtime(engine, uow_factory, ProgrammeConfig.default(), serve_clock, env)
    app = build_app(runtime, [mount_slack, mount_teams, mount_email])
    client = TestClient(TestServer(app, host="127.0.0.1", port=port))
    await client.start_server()
    teams = TeamsHarness(client, fake_connector, runtime)
    for key in [k for k in os.environ if k.startswith(("SLACK_", "MICROSOFT_APP_", "MENTORBOT_"))]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    async def cli(*args: str) -> None:
        assert await asyncio.to_thread(main, list(args)) == 0

    async def tick(when: datetime) -> None:
        serve_clock.set(when)  # serve and cron share the wall clock
        await cli("tick", "--now", when.isoformat())

    people, matches = write_roster(tmp_path, PEOPLE, PAIRS, start)
    await cli("import", "--people", str(people), "--matches", str(matches))
    for user in (TEAMS_GUIDE, TEAMS_MENTEE):  # they add the app in Teams during the week
        status, _ = await teams.install(user)
        assert status in (200, 201)
    installed = {user.user_id: len(teams.chat(user)) for user in (TEAMS_GUIDE, TEAMS_MENTEE)}

    for day in range(7):  # the week before the start: nothing for anyone, on any channel
        await tick(at(day, "09:05"))
        await tick(at(day, "17:00"))
    assert fake_slack.posts() == []
    assert mailbox.received == []
    assert {u.user_id: len(teams.chat(u)) for u in (TEAMS_GUIDE, TEAMS_MENTEE)} == installed

    await tick(at(7, "09:05"))  # the start day
    await tick(at(7, "10:05"))

    def slack_welcomes(user: str) -> int:
        return sum(WELCOME in message_text(p.get("blocks") or []) + p["text"] for p in fake_slack.posts(user))

    def teams_welcomes(user: TeamsUser) -> int:
        return sum(WELCOME in t for t in teams.chat(user))

    def mail_welcomes(address: str) -> int:
        return sum(WELCOME in m.text for m in mailbox.to(address))

    for email, user in ON_SLACK.items():
        assert (slack_welcomes(user), mail_welcomes(email)) == (1, 0), email
    for user in (TEAMS_GUIDE, TEAMS_MENTEE):
        assert (teams_welcomes(user), mail_welcomes(user.email)) == (1, 0), user.email
    for address in (STUDENT, VISITOR):
        assert mail_welcomes(address) == 1, address
    assert len(fake_slack.posts()) == 2  # nobody else's welcome went to Slack
    assert {r.to for r in mailbox.received} == {STUDENT, VISITOR}

    # the Teams mentee suggests a time; the visiting guide accepts it from her e-mail
    meeting = at(10, "14:00")
    await teams.say(TEAMS_MENTEE, "schedule")
    shown = teams.inputs(fake_connector.posted[-1].cards[-1])
    chosen = {"option1__date": meeting.strftime("%Y-%m-%d"), "option1__time": meeting.strftime("%H:%M")}
    status, _ = await teams.press(TEAMS_MENTEE, "Send the times", {**shown, **chosen})
    assert status == 200
    assert "Sent to Vera Visitor" in teams.chat(TEAMS_MENTEE)[-1]
    await tick(at(7, "11:05"))
    proposal = mailbox.to(VISITOR)[-1]
    assert "Tia Mentee suggests meeting" in proposal.text
    accept = proposal.link(meeting.strftime("%a %-d %b %Y, %H:%M"))
    status, page = await open_link(client, accept)
    assert status == 200 and "Nothing has been done yet" in visible_text(page)
    status, page = await post_link(client, accept)
    assert status == 200 and "Done." in visible_text(page), visible_text(page)
    await tick(at(7, "11:10"))
    invite = [a for a in mailbox.to(VISITOR)[-1].attachments() if a.get_content_type() == "text/calendar"]
    assert len(invite) == 1 and "BEGIN:VEVENT" in invite[0].get_content()
    assert any("confirmed" in t.lower() for t in teams.chat(TEAMS_MENTEE)[-2:])

    # the mentee adds to the agenda in Teams; two days before, the guide's e-mail has it compiled
    await teams.say(TEAMS_MENTEE, "agenda add How to present a case at grand rounds")
    before = len(mailbox.to(VISITOR))
    await tick(meeting - timedelta(hours=47, minutes=55))
    agenda = [m for m in mailbox.to(VISITOR)[before:] if "How to present a case at grand rounds" in m.text]
    assert len(agenda) == 1, [m.subject for m in mailbox.to(VISITOR)[before:]]
    assert "How to present a case at grand rounds" in visible_text(agenda[0].html)
    await client.close()
