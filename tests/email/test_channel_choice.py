"""Who gets e-mail: a person who chose it (``channel email``, typed on any channel), or whose role the
programme sends by e-mail (``email_roles``), unless they chose a chat platform; ``channel slack`` moves
them back. Against the fake Slack Web API and a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import StartEmail
from conftest import make_runtime
from fake_slack import FakeSlack
from roster_files import write_roster
from slack_harness import message_text
from slack_harness import slack_env
from smtp_box import Mailbox
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.errors import ConfigError
from bot.programme import ProgrammeConfig
from bot.programme import programme_from_mapping
from bot.roster import import_roster
from handlers.console.channel import ConsoleSession
from mentorbot.channels import mount_slack
from mentorbot.scheduling import register_channel_senders
from mentorbot.scheduling import run_tick
from mentorbot.wiring import Runtime
from storage.uow import SqlUnitOfWorkFactory

START = date(2026, 3, 2)
GUIDE = ("guide@hospital.example", "Grace Guide", "guide")
MENTEE = ("mentee@hospital.example", "Mo Mentee", "mentee")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U0GUIDE", GUIDE[0], "Europe/London", name="Grace")
    fake.add_user("U0MENTEE", MENTEE[0], "Europe/London", name="Mo")
    yield fake
    await fake.close()


def on_slack(fake: FakeSlack, user: str) -> list[str]:
    return [message_text(p.get("blocks") or []) + p.get("text", "") for p in fake.posts(user)]


async def propose(runtime: Runtime, when: str) -> None:
    """The mentee suggests a time: the guide gets a notice with buttons."""
    mentee = ConsoleSession(runtime.bot, MENTEE[0])
    mentee.send("schedule")
    mentee.submit({"option1": when})
    await run_tick(runtime)


async def test_channel_email_moves_a_slack_person_to_email_and_channel_slack_back(
    start_email: StartEmail, fake_slack: FakeSlack, mailbox: Mailbox, clock: FixedClock, tmp_path: Path
) -> None:
    runtime, _ = await start_email([mount_slack], **slack_env(fake_slack))
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(runtime.uow_factory, runtime.programme, clock, people, matches)
    await run_tick(runtime)
    assert any("Welcome" in t for t in on_slack(fake_slack, "U0GUIDE"))
    assert mailbox.to(GUIDE[0]) == []

    guide = ConsoleSession(runtime.bot, GUIDE[0])
    guide.send("channel")
    assert "I write to you in chat" in guide.text()
    guide.send("channel email")
    assert f"by e-mail, at {GUIDE[0]}" in guide.text()
    slack_before = len(on_slack(fake_slack, "U0GUIDE"))
    await propose(runtime, "2026-03-09 10:00")
    assert [m for m in mailbox.to(GUIDE[0]) if "Meeting 1 to arrange" in m.text]
    assert len(on_slack(fake_slack, "U0GUIDE")) == slack_before

    guide.send("channel slack")
    assert "I write to you in Slack" in guide.text()
    mails_before = len(mailbox.to(GUIDE[0]))
    guide.send("meetings decline 1")
    await propose(runtime, "2026-03-10 10:00")
    assert any("Meeting 2 to arrange" in t for t in on_slack(fake_slack, "U0GUIDE"))
    assert len(mailbox.to(GUIDE[0])) == mails_before

    guide.send("channel pigeon")
    assert "“pigeon” is not a channel; choose one of email, slack, teams, auto" in guide.text()


async def test_a_programme_sends_guides_by_email_unless_one_chose_slack(
    start_email: StartEmail,
    fake_slack: FakeSlack,
    mailbox: Mailbox,
    clock: FixedClock,
    tmp_path: Path,
    programme: ProgrammeConfig,
) -> None:
    runtime, _ = await start_email([mount_slack], **slack_env(fake_slack))
    runtime.programme = runtime.bot.programme = replace(programme, email_roles=("guide",))
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(runtime.uow_factory, runtime.programme, clock, people, matches)
    await run_tick(runtime)
    assert [m for m in mailbox.to(GUIDE[0]) if "Welcome" in m.subject]
    assert not any("Welcome" in t for t in on_slack(fake_slack, "U0GUIDE"))
    assert any("Welcome" in t for t in on_slack(fake_slack, "U0MENTEE"))  # mentees stay on Slack
    assert mailbox.to(MENTEE[0]) == []

    ConsoleSession(runtime.bot, GUIDE[0]).send("channel slack")
    mails_before = len(mailbox.to(GUIDE[0]))
    await propose(runtime, "2026-03-09 10:00")
    assert any("Meeting 1 to arrange" in t for t in on_slack(fake_slack, "U0GUIDE"))
    assert len(mailbox.to(GUIDE[0])) == mails_before


def test_email_roles_in_a_programme_file_are_checked() -> None:
    assert programme_from_mapping({"name": "P", "email_roles": ["guide"]}).email_roles == ("guide",)
    with pytest.raises(ConfigError) as refused:
        programme_from_mapping({"name": "P", "email_roles": ["guides"]})
    assert "programme: email_roles: 'guides' is not a role; roles are mentee, guide, coordinator" in str(
        refused.value.problems[0]
    ) or "'guides' is not a role" in str(refused.value)
    with pytest.raises(ConfigError, match="expected a list of roles"):
        programme_from_mapping({"name": "P", "email_roles": "guide"})


async def test_a_person_who_chose_email_is_still_reached_in_chat_while_email_is_off(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    fake_slack: FakeSlack,
    programme: ProgrammeConfig,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    runtime = make_runtime(engine, uow_factory, programme, clock, slack_env(fake_slack))
    register_channel_senders(runtime, [mount_slack])
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(runtime.uow_factory, runtime.programme, clock, people, matches)
    ConsoleSession(runtime.bot, GUIDE[0]).send("channel email")
    await run_tick(runtime)
    assert any("Welcome" in t for t in on_slack(fake_slack, "U0GUIDE"))
