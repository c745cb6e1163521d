"""A person on e-mail moves to Slack when Slack links them: the next message goes to their Slack DM,
and nothing that went by e-mail is ever sent again. Against the fake Slack Web API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from conftest import StartEmail
from fake_slack import FakeSlack
from roster_files import write_roster
from slack_harness import message_text
from slack_harness import slack_env
from smtp_box import Mailbox
from sqlalchemy import Engine
from sqlalchemy import select

from bot.clock import FixedClock
from bot.health import build_report
from bot.roster import import_roster
from handlers.console.channel import ConsoleSession
from mentorbot.channels import mount_slack
from mentorbot.scheduling import run_tick
from storage import tables

START = date(2026, 3, 2)
GUIDE = ("guide@hospital.example", "Grace Guide", "guide")
MENTEE = ("visitor@partner.example", "Vic Visitor", "mentee")  # not in the hospital's Slack yet


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U0GUIDE", GUIDE[0], "Europe/London", name="Grace")
    yield fake
    await fake.close()


def slack_texts(fake: FakeSlack, user: str) -> list[str]:
    return [message_text(p.get("blocks") or []) + p.get("text", "") for p in fake.posts(user)]


def sent_channels(engine: Engine, email: str) -> list[tuple[str, str]]:
    d, p = tables.deliveries, tables.people
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.c.kind, d.c.channel)
            .join(p, p.c.id == d.c.person_id)
            .where(p.c.email == email, d.c.status == "sent")
            .order_by(d.c.id)
        )
        return [(str(k), str(c)) for k, c in rows]


async def test_a_person_on_email_moves_to_slack_once_linked_and_gets_nothing_twice(
    start_email: StartEmail,
    fake_slack: FakeSlack,
    mailbox: Mailbox,
    engine: Engine,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    runtime, _ = await start_email([mount_slack], **slack_env(fake_slack))
    people, matches = write_roster(tmp_path, [GUIDE, MENTEE], [(GUIDE[0], MENTEE[0])], START)
    import_roster(runtime.uow_factory, runtime.programme, clock, people, matches)

    await run_tick(runtime)
    assert sum("Welcome" in t for t in slack_texts(fake_slack, "U0GUIDE")) == 1
    assert [m.subject for m in mailbox.to(GUIDE[0])] == []  # the guide is on Slack: no e-mail
    welcome_mails = [m for m in mailbox.to(MENTEE[0]) if "Welcome" in m.subject]
    assert len(welcome_mails) == 1
    report = build_report_now(runtime)
    assert dict(report.channels) == {"Grace Guide": "slack", "Vic Visitor": "email"}

    # the visitor's account is provisioned; a fresh serve looks them up at once (as after a deploy)
    fake_slack.add_user("U0VISITOR", "Visitor@Partner.Example", "Europe/London", name="Vic")
    runtime, _ = await start_email([mount_slack], **slack_env(fake_slack))
    guide = ConsoleSession(runtime.bot, GUIDE[0])
    guide.send("schedule")
    guide.submit({"option1": "2026-03-09 10:00"})
    mails_before = len(mailbox.to(MENTEE[0]))

    await run_tick(runtime)
    await run_tick(runtime)
    visitor = slack_texts(fake_slack, "U0VISITOR")
    assert len(visitor) == 1 and "Meeting 1 to arrange" in visitor[0]
    assert not any("Welcome" in t for t in visitor)  # the welcome went by e-mail: never again on Slack
    assert len(mailbox.to(MENTEE[0])) == mails_before  # and nothing more by e-mail
    kinds = sent_channels(engine, MENTEE[0])
    assert kinds[0] == ("onboarding", "email"), kinds  # the welcome
    assert kinds[-1][1] == "slack"
    assert dict(build_report_now(runtime).channels)["Vic Visitor"] == "slack"


def build_report_now(runtime):  # type: ignore[no-untyped-def]
    with runtime.uow_factory() as uow:
        return build_report(uow.activity, runtime.programme, runtime.clock.now())
