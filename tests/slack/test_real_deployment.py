"""A programme run the way coordinators run it, through the Slack endpoint and the real scheduler.

``serve`` is already up (the scheduler's passes run on real elapsed time, every second here) when the
roster is imported, a week before the cohort starts. Nobody has ever written to the bot; the guide never
does. What must hold: the guide is found in Slack by e-mail and gets the mentee's proposal within a
minute; nobody is welcomed before the start day; on the start day each member gets exactly one welcome.
The calendar is moved with the injected clock, as ``mentorbot tick --now`` moves it for a cron job.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from fake_slack import FakeSlack
from slack_harness import Harness
from slack_harness import make_runtime
from slack_harness import slack_env
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.programme import ProgrammeConfig
from bot.roster import import_roster
from mentorbot.channels import mount_slack
from mentorbot.scheduling import mount_scheduler
from mentorbot.server import build_app
from scheduler.dispatch import Dispatcher
from scheduler.planpass import PlanPass
from storage.uow import SqlUnitOfWorkFactory

PEOPLE = """\
email,name,roles,cohort,stage,timezone,capacity
mentee@example.org,Eli Mentee,mentee,2026,clinical,Europe/London,
mentor@example.org,Maria Mentor,guide,,faculty,America/New_York,
coordinator@example.org,Cora Coordinator,coordinator,,,Europe/London,
"""
MATCHES = """\
match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,override_reason
m-1,mentoring,one-to-one,mentor@example.org,mentee@example.org,,2026-03-09,2026-12-18,28,no,
"""
IMPORTED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday, a week before the start
START_DAY_EVENING = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)  # after the welcome's hour in London and New York
WELCOME = "Welcome: "

Serve = Callable[[], Awaitable[Harness]]


@pytest.fixture
async def serve(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
    fake_slack: FakeSlack,
) -> AsyncIterator[Serve]:
    """mentorbot serving Slack with its in-process scheduler (plan and dispatch passes every second)."""
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start() -> Harness:
        env = slack_env(fake_slack, MENTORBOT_PLAN_INTERVAL="1", MENTORBOT_DISPATCH_INTERVAL="1")
        runtime = make_runtime(engine, uow_factory, programme, clock, env)
        client: TestClient[web.Request, web.Application] = TestClient(
            TestServer(build_app(runtime, [mount_scheduler, mount_slack]))
        )
        await client.start_server()
        clients.append(client)
        return Harness(client, fake_slack, runtime)

    yield start
    for client in clients:
        await client.close()


def import_files(tmp_path: Path, uow_factory: SqlUnitOfWorkFactory, programme: ProgrammeConfig,
                 clock: FixedClock) -> None:  # fmt: skip
    """What ``mentorbot import --people people.csv --matches matches.csv`` does, from the same files."""
    people, matches = tmp_path / "people.csv", tmp_path / "matches.csv"
    people.write_text(PEOPLE)
    matches.write_text(MATCHES)
    import_roster(uow_factory, programme, clock, str(people), str(matches), dry_run=False)


def welcomes(slack: Harness, channel: str) -> int:
    return sum(1 for t in slack.texts(channel) if WELCOME in t)


async def tick(slack: Harness) -> None:
    """One scheduler pass at the clock's instant, as ``mentorbot tick --now`` runs it from cron (its
    senders are the server's own, so they are not closed afterwards)."""
    runtime = slack.runtime
    await asyncio.to_thread(PlanPass(runtime.uow_factory, runtime.programme).run, runtime.clock.now())
    await Dispatcher(runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders).drain()


async def test_a_roster_imported_a_week_ahead_while_serve_runs(
    serve: Serve,
    tmp_path: Path,
    uow_factory: SqlUnitOfWorkFactory,
    programme: ProgrammeConfig,
    clock: FixedClock,
) -> None:
    clock.set(IMPORTED_AT)
    slack = await serve()
    import_files(tmp_path, uow_factory, programme, clock)

    # the mentee proposes ground rules; her guide has never written to the bot
    await slack.command("U0MENTEE", "ground rules propose")
    await slack.fake.wait_for("views.open")
    await slack.submit("U0MENTEE", {"frequency": "every 2 weeks at first"})
    await slack.shown("DU0MENTEE", "Version 1 is on its way to Maria Mentor")
    await slack.fake.wait_until(
        lambda: any("every 2 weeks at first" in t for t in slack.texts("DU0MENTOR")), timeout=60
    )

    # cron's `mentorbot tick --now` every evening of the week before the start: nobody is welcomed
    for day in range(2, 9):
        clock.set(datetime(2026, 3, day, 18, 0, tzinfo=UTC))
        await tick(slack)
    assert welcomes(slack, "DU0MENTEE") == 0
    assert welcomes(slack, "DU0MENTOR") == 0

    # the start day, reached by the server's own passes: one welcome each
    clock.set(START_DAY_EVENING)
    await slack.fake.wait_until(
        lambda: welcomes(slack, "DU0MENTEE") >= 1 and welcomes(slack, "DU0MENTOR") >= 1, timeout=60
    )
    # ... and however many passes follow (the server's and cron's), never a second one
    for _ in range(3):
        await tick(slack)
    assert welcomes(slack, "DU0MENTEE") == 1
    assert welcomes(slack, "DU0MENTOR") == 1
