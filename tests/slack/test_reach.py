"""Reachability in the real world: a roster imported while ``serve`` runs, people who never wrote to the
bot, ``tick`` from cron, someone who is not in Slack yet, and 400 people at once -- against the fake
Slack Web API on loopback, on SQLite and PostgreSQL.

Nobody here has ever written to the bot: each is found in Slack by e-mail (users.list for a roster,
users.lookupByEmail for a few), and their messages are posted to their user id. A person the bot cannot
find stays unreachable with the reason coordinators see, and gets the message once they appear.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.test_utils import TestServer
from fake_slack import FakeSlack
from slack_harness import make_runtime
from slack_harness import message_text
from slack_harness import slack_env
from sqlalchemy import Engine
from sqlalchemy import select

from bot.clock import FixedClock
from bot.health import build_report
from bot.messages import Section
from bot.programme import ProgrammeConfig
from bot.roster import import_roster
from bot.workflows._health_view import report_blocks
from handlers.slack.app import SlackChannel
from handlers.slack.mount import SLACK
from mentorbot.channels import mount_slack
from mentorbot.scheduling import mount_scheduler
from mentorbot.scheduling import run_tick
from mentorbot.server import build_app
from mentorbot.wiring import Runtime
from scheduler.dispatch import Dispatcher
from scheduler.planpass import PlanPass
from storage import tables
from storage.uow import SqlUnitOfWorkFactory

START = date(2026, 3, 2)  # the clock fixture's Monday, 09:00 UTC (09:00 in London)


def write_roster(
    folder: Path, pairs: int, *, start: date | None = START, first: int = 0
) -> tuple[Path, Path]:
    """``pairs`` guide/mentee pairs (g<k>@ / m<k>@roster.example, in London); a match file starting
    on ``start`` (none when ``start`` is None)."""
    people = folder / f"people-{first}.csv"
    matches = folder / f"matches-{first}.csv"
    rows = ["email,name,roles,cohort,stage,timezone,capacity"]
    for k in range(first, first + pairs):
        rows.append(f"g{k}@roster.example,Guide {k},guide,,,Europe/London,")
        rows.append(f"m{k}@roster.example,Mentee {k},mentee,2026,,Europe/London,")
    people.write_text("\n".join(rows) + "\n")
    lines = [
        "match_id,kind,format,guides,learners,peers,start,end,cadence_days,assessor_conflict,override_reason"
    ]
    if start is not None:
        for k in range(first, first + pairs):
            lines.append(
                f"r-{k},mentoring,one-to-one,g{k}@roster.example,m{k}@roster.example,,{start},,28,no,"
            )
    matches.write_text("\n".join(lines) + "\n")
    return people, matches


def in_slack(fake: FakeSlack, pairs: int, *, first: int = 0, skip: tuple[str, ...] = ()) -> None:
    """The pairs' Slack accounts; their profile e-mails in another case than the roster's."""
    for k in range(first, first + pairs):
        for who in ("g", "m"):
            if f"{who}{k}" not in skip:
                fake.add_user(f"U{who.upper()}{k:05d}", f"{who.upper()}{k}@Roster.Example", "Europe/London")


def dm(who: str, k: int) -> str:
    return f"DU{who.upper()}{k:05d}"


def slack_ids(uow_factory: SqlUnitOfWorkFactory) -> dict[str, str]:
    """E-mail -> linked Slack user id, for everyone linked."""
    p, i = tables.people, tables.chat_identities
    with uow_factory() as uow:
        rows = uow.session.execute(  # type: ignore[attr-defined]
            select(p.c.email, i.c.external_id).join(i, i.c.person_id == p.c.id).where(i.c.platform == "slack")
        )
        return {str(e): str(x) for e, x in rows}


def outbox(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[str, str, str, str]]:
    """(email, kind, status, channel) of every delivery."""
    d, p = tables.deliveries, tables.people
    with uow_factory() as uow:
        rows = uow.session.execute(  # type: ignore[attr-defined]
            select(p.c.email, d.c.kind, d.c.status, d.c.channel).join(p, p.c.id == d.c.person_id)
        )
        return [tuple(map(str, r)) for r in rows]  # type: ignore[misc]


def slack_runtime(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, fake: FakeSlack, **env: str
) -> Runtime:
    return make_runtime(engine, uow_factory, ProgrammeConfig.default(), clock, slack_env(fake, **env))


def mounted(runtime: Runtime) -> SlackChannel:
    """Slack mounted on an application that is never started, as ``mentorbot tick`` does."""
    app = web.Application()
    mount_slack(app, runtime)
    channel = app[SLACK]
    assert isinstance(channel, SlackChannel)
    return channel


@pytest.fixture
async def serving(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, clock: FixedClock, fake_slack: FakeSlack
) -> AsyncIterator[Callable[[], Runtime]]:
    """``serve``'s wiring (the scheduler and Slack) running on loopback, quick passes."""
    clients: list[TestClient[web.Request, web.Application]] = []
    runtimes: list[Runtime] = []

    async def start() -> Runtime:
        runtime = slack_runtime(
            engine,
            uow_factory,
            clock,
            fake_slack,
            MENTORBOT_DISPATCH_INTERVAL="0.2",
            MENTORBOT_PLAN_INTERVAL="1",
        )
        client: TestClient[web.Request, web.Application] = TestClient(
            TestServer(build_app(runtime, [mount_scheduler, mount_slack]))
        )
        await client.start_server()
        clients.append(client)
        runtimes.append(runtime)
        return runtime

    yield start  # type: ignore[misc]
    for client in clients:
        await client.close()


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    """Wait (polling the database the server writes to) until ``predicate``; the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:g}s: {what}")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_a_roster_imported_while_serve_runs_is_linked_within_a_minute_and_welcomed_on_slack(
    serving: Callable[[], object],
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    runtime = await serving()  # type: ignore[misc]
    in_slack(fake_slack, 6)
    people, _ = write_roster(tmp_path, 6, start=None)
    import_roster(uow_factory, runtime.programme, clock, people, None)  # nobody has written to the bot

    took = await until(lambda: len(slack_ids(uow_factory)) == 12, 60, "everyone linked")
    assert took < 60
    assert slack_ids(uow_factory)["g3@roster.example"] == "UG00003"
    assert len(fake_slack.called("users.list")) == 1  # a roster is found in one directory read
    assert fake_slack.called("users.lookupByEmail") == []

    _, matches = write_roster(tmp_path, 6)  # the matches start today: the welcomes are due
    import_roster(uow_factory, runtime.programme, clock, None, matches)
    await fake_slack.wait_until(lambda: all(fake_slack.posts(dm(w, k)) for w in "gm" for k in range(6)), 60)
    assert "Welcome" in message_text(fake_slack.posts(dm("g", 0))[0]["blocks"])
    assert fake_slack.called("conversations.open") == []  # posted to the user id
    assert fake_slack.busiest_second_per_channel() <= 1  # chat.postMessage: one a second per channel
    sent = [row for row in outbox(uow_factory) if row[2] == "sent"]
    assert {row[3] for row in sent} == {"slack"}  # nothing "delivered" by printing it
    assert fake_slack.violations == []


async def test_tick_reaches_people_who_were_never_linked(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    in_slack(fake_slack, 2)
    runtime = slack_runtime(engine, uow_factory, clock, fake_slack)
    import_roster(uow_factory, runtime.programme, clock, *write_roster(tmp_path, 2))
    mounted(runtime)  # what ``mentorbot tick`` does: no server, no background linker

    summary = await run_tick(runtime)

    sent = summary.dispatch.sent
    assert (sent, summary.dispatch.unreachable) == (summary.plan.planned, 0)
    assert summary.dispatch.by_platform == {"slack": sent}  # nothing printed and called "sent"
    assert all(fake_slack.posts(dm(w, k)) for w in "gm" for k in range(2))  # everyone has their welcome
    assert len(fake_slack.posts()) == sent
    assert set(slack_ids(uow_factory)) == {f"{w}{k}@roster.example" for w in "gm" for k in range(2)}


async def test_someone_not_in_slack_is_reported_with_the_reason_and_reached_once_they_join(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    in_slack(fake_slack, 1, skip=("g0",))  # the guide has no Slack account yet
    runtime = slack_runtime(engine, uow_factory, clock, fake_slack)
    import_roster(uow_factory, runtime.programme, clock, *write_roster(tmp_path, 1))
    channel = mounted(runtime)
    seconds = [1000.0]
    channel.linker.monotonic = lambda: seconds[0]  # the linker's sense of elapsed time, moved by hand

    first = await run_tick(runtime)
    assert first.dispatch.by_platform == {"slack": first.dispatch.sent}
    guide_rows = [r for r in outbox(uow_factory) if r[0] == "g0@roster.example"]
    assert first.dispatch.unreachable == len(guide_rows) >= 1
    assert {r[2:] for r in guide_rows} == {("unreachable", "")}  # waiting, not "sent" on the console

    with uow_factory() as uow:  # what coordinators see
        report = build_report(uow.activity, runtime.programme, clock.now())
    (who,) = report.unreachable
    assert who.name == "Guide 0"
    assert "not found in Slack by e-mail" in who.detail
    shown = next(
        b.body
        for b in report_blocks(report, runtime.programme.text)
        if isinstance(b, Section) and "Guide 0:" in b.body and "not linked" in b.body
    )
    assert "not found in Slack by e-mail" in shown

    # a minute later: the delivery is not due again yet, and Slack is not asked again (no hot loop)
    calls = len(fake_slack.calls)
    seconds[0] += 60
    clock.advance(timedelta(minutes=1))
    assert (await run_tick(runtime)).dispatch.unreachable == 0
    assert len(fake_slack.calls) == calls

    # the guide joins Slack; the next look-up (a few minutes on) links them, and the welcome goes out
    fake_slack.add_user("UG00000", "g0@roster.example")
    seconds[0] += 300
    assert await channel.linker.run_once() == 1
    again = await run_tick(runtime)  # linked: due at once, without waiting for the next recheck
    assert (again.dispatch.sent, again.dispatch.unreachable) == (len(guide_rows), 0)
    texts = [message_text(p["blocks"]) for p in fake_slack.posts(dm("g", 0))]
    assert len(texts) == len(guide_rows) and sum("Welcome" in t for t in texts) == 1
    with uow_factory() as uow:
        assert build_report(uow.activity, runtime.programme, clock.now()).unreachable == ()


class VirtualPace:
    """The dispatcher's pacing measured in virtual seconds, so 400 paced messages take no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def test_four_hundred_people_imported_at_once_are_each_welcomed_once_within_slacks_limits(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    in_slack(fake_slack, 200)
    fake_slack.page_max = 150  # several pages of users.list, followed by their cursors
    runtime = slack_runtime(engine, uow_factory, clock, fake_slack)
    import_roster(uow_factory, runtime.programme, clock, *write_roster(tmp_path, 200))
    mounted(runtime)
    pace = VirtualPace()
    dispatcher = Dispatcher(
        runtime.uow_factory, runtime.programme, runtime.clock, runtime.senders,
        pacing_clock=pace.clock, pacing_sleep=pace.sleep,
    )  # fmt: skip

    planned = await asyncio.to_thread(PlanPass(uow_factory, runtime.programme).run, clock.now())
    first = await dispatcher.drain()
    for _ in range(6):  # the passes that follow within a minute send nothing more
        clock.advance(timedelta(seconds=10))
        await asyncio.to_thread(PlanPass(uow_factory, runtime.programme).run, clock.now())
        assert (await dispatcher.drain()).sent == 0
    await dispatcher.aclose()

    assert first.sent == planned.planned >= 400 and first.unreachable == 0
    assert len(fake_slack.posts()) == first.sent  # every message exactly once
    welcomed = [
        sum("Welcome" in message_text(p["blocks"]) for p in fake_slack.posts(dm(w, k)))
        for w in "gm"
        for k in range(200)
    ]
    assert welcomed == [1] * 400  # every one of the 400 welcomed, once
    assert len(fake_slack.called("users.list")) == 3  # 400 members, 150 a page
    assert fake_slack.busiest_minute("users.list") <= 20  # Tier 2
    assert fake_slack.busiest_minute("users.lookupByEmail") <= 50  # Tier 3
    assert fake_slack.called("conversations.open") == []
    # chat.postMessage's pace (one a second per channel, SLACK_SEND_RATE across the workspace) is the
    # dispatcher's, measured here in virtual seconds: the serve test above checks it in real time
    assert pace.now <= first.sent / 4 + 1  # at the workspace-wide pace (SLACK_SEND_RATE, 4 a second)
    assert fake_slack.violations == []


async def test_a_429_on_users_list_is_waited_out_and_the_roster_still_linked(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    in_slack(fake_slack, 3)
    for _ in range(2):  # slack_sdk waits out one itself; the linker the next, for its Retry-After
        fake_slack.fail_next("users.list", 429, "ratelimited", {"Retry-After": "1"})
    runtime = slack_runtime(engine, uow_factory, clock, fake_slack)
    import_roster(uow_factory, runtime.programme, clock, *write_roster(tmp_path, 3))
    channel = mounted(runtime)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    channel.linker.sleep = sleep

    summary = await run_tick(runtime)

    assert 1.0 in waited  # the Retry-After Slack asked for
    assert summary.dispatch.unreachable == 0 and summary.dispatch.by_platform == {
        "slack": summary.dispatch.sent
    }
    assert len(slack_ids(uow_factory)) == 6
    assert len(fake_slack.called("users.list")) == 3
